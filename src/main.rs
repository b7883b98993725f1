fn main() {
    eprintln!("dlang: the command line is not built yet");
    std::process::exit(64);
}

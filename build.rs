fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .process()
        .expect("grammar/dlang.lalrpop must generate a parser");
}

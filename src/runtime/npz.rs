//! NumPy's `.npz` container: a zip archive of `.npy` files, one per named
//! array (`numpy.savez`). Writing makes stored (uncompressed) entries
//! with a fixed timestamp, so the same arrays always give the same bytes;
//! reading takes stored entries, as `numpy.savez` and `NN.save` write
//! them, with or without the zip64 fields numpy adds, and checks each
//! entry's CRC-32, so a truncated or damaged file is refused rather than
//! misread.
//!
//! The zip format is APPNOTE.TXT (PKWARE); only the parts an `.npz` uses
//! are here: no compression, no encryption, no multi-disk archives.

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
const ZIP64_END_OF_CENTRAL: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
/// Version 2.0, the first with stored directories and CRC-32: what any
/// reader accepts.
const VERSION: u16 = 20;
/// 1980-01-01 00:00 in MS-DOS format, the earliest time a zip can hold.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
const STORED: u16 = 0;
/// Written for a field whose value is in the zip64 extra field instead.
const IN_ZIP64: u32 = u32::MAX;

/// The bytes of an archive holding `entries` (file name, contents) in
/// order. Refuses what needs zip64 to write (65,535 entries, 4 GiB).
pub fn write(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let count = u16::try_from(entries.len())
        .ok()
        .filter(|&n| n != u16::MAX)
        .ok_or_else(|| format!("{} arrays are more than a zip holds", entries.len()))?;
    let too_large = || "the arrays take more than the 4 GiB a zip without zip64 holds".to_string();
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_large())?;
        let size = u32::try_from(data.len()).map_err(|_| too_large())?;
        let name_len =
            u16::try_from(name.len()).map_err(|_| format!("the name {name} is too long"))?;
        let crc = crc32(data);

        put32(&mut out, LOCAL_HEADER);
        for field in [VERSION, 0, STORED, DOS_TIME, DOS_DATE] {
            put16(&mut out, field);
        }
        for field in [crc, size, size] {
            put32(&mut out, field);
        }
        put16(&mut out, name_len);
        put16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        put32(&mut central, CENTRAL_HEADER);
        for field in [VERSION, VERSION, 0, STORED, DOS_TIME, DOS_DATE] {
            put16(&mut central, field);
        }
        for field in [crc, size, size] {
            put32(&mut central, field);
        }
        // Name length, extra and comment lengths, disk, internal attributes.
        for field in [name_len, 0, 0, 0, 0] {
            put16(&mut central, field);
        }
        // External attributes: a regular file, rw-r--r--, as numpy's.
        put32(&mut central, 0o100644 << 16);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).map_err(|_| too_large())?;
    let central_size = u32::try_from(central.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&central);
    put32(&mut out, END_OF_CENTRAL);
    for field in [0, 0, count, count] {
        put16(&mut out, field);
    }
    put32(&mut out, central_size);
    put32(&mut out, central_offset);
    put16(&mut out, 0);
    Ok(out)
}

/// The entries of an archive (file name, contents), in the central
/// directory's order. The error says what is wrong, without the path.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let directory = find_directory(bytes)?;
    let mut entries = Vec::with_capacity(directory.count.min(1 << 16) as usize);
    let mut at = Reader::at(bytes, directory.offset)?;
    for _ in 0..directory.count {
        if at.u32()? != CENTRAL_HEADER {
            return Err("the zip directory is damaged".to_string());
        }
        at.skip(6)?;
        let method = at.u16()?;
        at.skip(4)?;
        let crc = at.u32()?;
        let mut compressed = u64::from(at.u32()?);
        let mut size = u64::from(at.u32()?);
        let name_len = at.u16()? as usize;
        let extra_len = at.u16()? as usize;
        let comment_len = at.u16()? as usize;
        at.skip(8)?;
        let mut offset = u64::from(at.u32()?);
        let name = String::from_utf8_lossy(at.take(name_len)?).into_owned();
        let extra = at.take(extra_len)?;
        at.skip(comment_len)?;
        // The zip64 extra field holds, in this order, the fields that
        // were too large for their 32 bits.
        let mut wide = zip64_fields(extra)?;
        for field in [&mut size, &mut compressed, &mut offset] {
            if *field == u64::from(IN_ZIP64) {
                *field = wide
                    .next()
                    .ok_or_else(|| format!("the zip directory entry of {name} is damaged"))?;
            }
        }
        if method != STORED {
            return Err(format!(
                "{name} is compressed (zip method {method}); only the stored arrays numpy.savez and NN.save write can be read, not numpy.savez_compressed's"
            ));
        }
        if compressed != size {
            return Err(format!("the zip directory entry of {name} is damaged"));
        }
        let data = entry_data(bytes, offset, size).ok_or_else(|| format!("{name} is cut short"))?;
        if crc32(data) != crc {
            return Err(format!("{name} is damaged (its CRC-32 does not match)"));
        }
        entries.push((name, data));
    }
    Ok(entries)
}

struct Directory {
    count: u64,
    offset: u64,
}

/// The central directory, from the end-of-directory record (and its
/// zip64 form, where the plain one's fields are full).
fn find_directory(bytes: &[u8]) -> Result<Directory, String> {
    const END_LEN: usize = 22;
    let not_zip =
        || "not a .npz file (no zip directory at its end: not a zip, or cut short)".to_string();
    // The record ends the file but for a comment of up to 65,535 bytes.
    let earliest = bytes.len().saturating_sub(END_LEN + usize::from(u16::MAX));
    let start = (earliest..=bytes.len().saturating_sub(END_LEN))
        .rev()
        .find(|&i| bytes.len() >= END_LEN && bytes[i..i + 4] == END_OF_CENTRAL.to_le_bytes())
        .ok_or_else(not_zip)?;
    let mut end = Reader::at(bytes, start as u64 + 10)?;
    let count = end.u16()?;
    end.skip(4)?;
    let offset = end.u32()?;
    if count != u16::MAX && offset != IN_ZIP64 {
        return Ok(Directory {
            count: u64::from(count),
            offset: u64::from(offset),
        });
    }
    let locator = start.checked_sub(20).ok_or_else(not_zip)?;
    let mut at = Reader::at(bytes, locator as u64)?;
    if at.u32()? != ZIP64_LOCATOR {
        return Err(not_zip());
    }
    at.skip(4)?;
    let mut record = Reader::at(bytes, at.u64()?)?;
    if record.u32()? != ZIP64_END_OF_CENTRAL {
        return Err(not_zip());
    }
    record.skip(28)?;
    let count = record.u64()?;
    record.skip(8)?;
    let offset = record.u64()?;
    Ok(Directory { count, offset })
}

/// The contents of the entry whose local header is at `offset`.
fn entry_data(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let mut at = Reader::at(bytes, offset).ok()?;
    if at.u32().ok()? != LOCAL_HEADER {
        return None;
    }
    at.skip(22).ok()?;
    let name_len = at.u16().ok()? as usize;
    let extra_len = at.u16().ok()? as usize;
    at.skip(name_len + extra_len).ok()?;
    at.take(usize::try_from(size).ok()?).ok()
}

/// The 64-bit values of the zip64 extra field, if there is one.
fn zip64_fields(mut extra: &[u8]) -> Result<impl Iterator<Item = u64>, String> {
    let mut values = Vec::new();
    while extra.len() >= 4 {
        let id = u16::from_le_bytes([extra[0], extra[1]]);
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        let body = extra
            .get(4..4 + len)
            .ok_or("a zip directory entry has a damaged extra field")?;
        if id == ZIP64_EXTRA {
            values = body
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect();
        }
        extra = &extra[4 + len..];
    }
    Ok(values.into_iter())
}

/// Little-endian fields read from a position, each read failing (rather
/// than panicking) past the end.
struct Reader<'b> {
    rest: &'b [u8],
}

impl<'b> Reader<'b> {
    fn at(bytes: &'b [u8], offset: u64) -> Result<Reader<'b>, String> {
        usize::try_from(offset)
            .ok()
            .and_then(|o| bytes.get(o..))
            .map(|rest| Reader { rest })
            .ok_or_else(|| "the zip directory points past the end of the file".to_string())
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], String> {
        if self.rest.len() < n {
            return Err("the zip directory is cut short".to_string());
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        self.take(n).map(drop)
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from(self.u32()?) | (u64::from(self.u32()?) << 32))
    }
}

fn put16(out: &mut Vec<u8>, x: u16) {
    out.extend_from_slice(&x.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// CRC-32 as zip uses it (IEEE 802.3, reflected, polynomial 0xEDB88320).
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &byte| {
        CRC_TABLE[((crc ^ u32::from(byte)) & 0xff) as usize] ^ (crc >> 8)
    })
}

static CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_the_check_string() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn entries_come_back_in_order() {
        let entries = vec![
            ("w.npy".to_string(), b"abc".to_vec()),
            ("b.npy".to_string(), Vec::new()),
        ];
        let bytes = write(&entries).unwrap();
        let read_back = read(&bytes).unwrap();
        let names: Vec<&str> = read_back.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["w.npy", "b.npy"]);
        assert_eq!(read_back[0].1, b"abc");
        assert!(read_back[1].1.is_empty());
    }

    #[test]
    fn every_truncation_and_a_flipped_byte_are_refused() {
        let bytes = write(&[("x.npy".to_string(), vec![7; 40])]).unwrap();
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len]).is_err(), "cut at {len}");
        }
        let mut damaged = bytes.clone();
        damaged[40] ^= 1;
        assert!(read(&damaged).unwrap_err().contains("CRC-32"));
    }
}

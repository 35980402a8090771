//! CRC-8 as PlainBuffer uses it: polynomial 0x07, initial value 0, no reflection, no final xor
//! (CRC-8/SMBUS; the Java SDK calls it CRC-8-ATM). Checksums are chained: each update starts
//! from the previous value, so a cell checksum is one running CRC over several fields.

/// Lookup table built at compile time, one entry per byte value.
const TABLE: [u8; 256] = build_table();

const fn build_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

/// Continues `crc` over one byte.
#[inline]
pub fn update_byte(crc: u8, byte: u8) -> u8 {
    TABLE[usize::from(crc ^ byte)]
}

/// Continues `crc` over `bytes`.
#[inline]
pub fn update(crc: u8, bytes: &[u8]) -> u8 {
    bytes.iter().fold(crc, |crc, &b| update_byte(crc, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_123456789_is_f4() {
        assert_eq!(update(0, b"123456789"), 0xF4);
    }

    /// The Java SDK's PlainBufferCrc8 unit test feeds these bytes one at a time, each update
    /// starting from the previous result (protocol reference §1.7).
    #[test]
    fn java_sdk_chain() {
        let mut crc = 0;
        let mut seen = Vec::new();
        for byte in [1u8, 3, 7, 255, 128, 0] {
            crc = update_byte(crc, byte);
            seen.push(crc);
        }
        assert_eq!(seen, [7, 28, 65, 51, 16, 112]);
    }

    #[test]
    fn table_agrees_with_the_crc_crate_for_every_byte_and_start_value() {
        let reference = crc::Crc::<u8>::new(&crc::CRC_8_SMBUS);
        for start in 0..=255u8 {
            for byte in 0..=255u8 {
                let mut digest = reference.digest_with_initial(start);
                digest.update(&[byte]);
                assert_eq!(update_byte(start, byte), digest.finalize());
            }
        }
    }

    #[test]
    fn chained_updates_equal_one_update_over_the_concatenation() {
        let (a, b) = (
            b"tablestore".as_slice(),
            b"\x00\xff plain buffer".as_slice(),
        );
        let joined = [a, b].concat();
        assert_eq!(update(update(0, a), b), update(0, &joined));
    }
}

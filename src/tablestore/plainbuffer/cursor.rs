//! A bounds-checked position in an untrusted buffer. Every read either returns the bytes or
//! `DecodeError::Truncated`, so the reader above it cannot index out of range.

use super::DecodeError;

pub struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8], pos: usize) -> Self {
        Cursor { bytes, pos }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn is_at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The next byte, without consuming it; `None` at the end.
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        let byte = self.peek().ok_or(DecodeError::Truncated(self.pos))?;
        self.pos += 1;
        Ok(byte)
    }

    /// Consumes `tag` or fails with what was there instead.
    pub fn expect_tag(&mut self, tag: u8) -> Result<(), DecodeError> {
        let at = self.pos;
        match self.u8()? {
            found if found == tag => Ok(()),
            found => Err(DecodeError::UnexpectedTag { tag: found, at }),
        }
    }

    /// Consumes `tag` if it is next.
    pub fn eat_tag(&mut self, tag: u8) -> bool {
        let found = self.peek() == Some(tag);
        if found {
            self.pos += 1;
        }
        found
    }

    pub fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(DecodeError::Truncated(self.bytes.len()));
        }
        let slice = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_le_bytes)
    }

    /// A `u32` length that must fit in what is left of the buffer.
    pub fn len32(&mut self) -> Result<usize, DecodeError> {
        let at = self.pos;
        let len = self.u32()? as usize;
        if len > self.remaining() {
            return Err(DecodeError::Malformed(
                at,
                "length runs past the end of the buffer",
            ));
        }
        Ok(len)
    }

    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        self.array().map(i64::from_le_bytes)
    }

    /// The bytes consumed since `start`.
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.bytes[start..self.pos]
    }
}

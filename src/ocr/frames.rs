//! What Tesseract is given of an image: one frame of a format it reads, within the pixel limit,
//! decided from the headers alone before anything runs.
//!
//! Hostile files hide work in frames a viewer never shows first: a GIF's later frame may
//! declare 65535×65535 pixels (Leptonica's GIF reader loads every frame), a TIFF may hold many
//! pages (Tesseract reads them all). So only PNG, JPEG, GIF, still WebP and BMP are taken; a
//! GIF's frames are walked (a linear pass over block headers, no decoding), every frame's
//! declared size is held to the limit, and a GIF of several frames is cut to its first; an
//! APNG's frame headers are held to the limit too (its extra frames are ancillary chunks the
//! PNG reader skips, so only the first image is ever decoded); an animated WebP is refused;
//! JPEG and BMP hold one image. Anything else (TIFF, PNM, JPEG 2000, …) is refused.

use std::borrow::Cow;

use super::OcrError;

/// The bytes to give Tesseract for `image`: the image itself, or its first frame; or why not.
pub fn first_frame(image: &[u8], max_pixels: u64) -> Result<Cow<'_, [u8]>, OcrError> {
    let size = imagesize::blob_size(image).map_err(|_| OcrError::NotAnImage)?;
    fits(size.width as u64, size.height as u64, max_pixels)?;
    if image.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_frames(image, max_pixels).map(|()| Cow::Borrowed(image))
    } else if image.starts_with(b"GIF87a") || image.starts_with(b"GIF89a") {
        gif_first_frame(image, max_pixels)
    } else if image.len() >= 12 && &image[..4] == b"RIFF" && &image[8..12] == b"WEBP" {
        webp_still(image).map(|()| Cow::Borrowed(image))
    } else if image.starts_with(b"\xFF\xD8\xFF") || image.starts_with(b"BM") {
        Ok(Cow::Borrowed(image))
    } else {
        Err(OcrError::Unsupported)
    }
}

fn fits(width: u64, height: u64, max_pixels: u64) -> Result<(), OcrError> {
    if width.saturating_mul(height) > max_pixels {
        return Err(OcrError::TooLarge);
    }
    Ok(())
}

fn u16_le(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn u32_be(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_be_bytes(
        b.get(at..at + 4)?.try_into().ok()?,
    )))
}

fn u32_le(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(
        b.get(at..at + 4)?.try_into().ok()?,
    )))
}

/// Walks a PNG's chunks to `IEND`: every APNG frame header (`fcTL`) within the limit. A file
/// cut short is left to the PNG reader: a frame header that is not there declares nothing.
fn png_frames(png: &[u8], max_pixels: u64) -> Result<(), OcrError> {
    let mut at = 8;
    while let (Some(len), Some(kind)) = (u32_be(png, at), png.get(at + 4..at + 8)) {
        let Some(data) = png.get(at + 8..at + 8 + len as usize) else {
            break;
        };
        match kind {
            b"fcTL" => {
                let width = u32_be(data, 4).ok_or(OcrError::NotAnImage)?;
                let height = u32_be(data, 8).ok_or(OcrError::NotAnImage)?;
                fits(width, height, max_pixels)?;
            }
            b"IEND" => return Ok(()),
            _ => {}
        }
        // Length, type, data and CRC.
        at += 12 + data.len();
    }
    Ok(())
}

/// A colour table's length from a GIF packed byte: `3 × 2^(n+1)` when its flag is set.
fn gif_table(packed: u8) -> usize {
    if packed & 0x80 == 0 {
        0
    } else {
        3 << ((packed & 7) + 1)
    }
}

/// Skips GIF data sub-blocks (a length byte, that many bytes, … a zero) from `at`.
fn gif_skip_blocks(gif: &[u8], mut at: usize) -> Result<usize, OcrError> {
    loop {
        let len = *gif.get(at).ok_or(OcrError::NotAnImage)? as usize;
        at += 1 + len;
        if len == 0 {
            return Ok(at);
        }
    }
}

/// Walks a GIF's blocks: every frame's declared size within the limit; a GIF of several
/// frames is cut after its first, with the trailer put back.
fn gif_first_frame(gif: &[u8], max_pixels: u64) -> Result<Cow<'_, [u8]>, OcrError> {
    let packed = *gif.get(10).ok_or(OcrError::NotAnImage)?;
    let mut at = 13 + gif_table(packed);
    let (mut frames, mut first_end) = (0usize, None);
    loop {
        match gif.get(at) {
            // Extensions: a label, then sub-blocks.
            Some(0x21) => at = gif_skip_blocks(gif, at + 2)?,
            Some(0x2C) => {
                let width = u16_le(gif, at + 5).ok_or(OcrError::NotAnImage)?;
                let height = u16_le(gif, at + 7).ok_or(OcrError::NotAnImage)?;
                fits(width, height, max_pixels)?;
                let packed = *gif.get(at + 9).ok_or(OcrError::NotAnImage)?;
                // The descriptor, its colour table, the LZW code size, then the data.
                at = gif_skip_blocks(gif, at + 10 + gif_table(packed) + 1)?;
                frames += 1;
                first_end.get_or_insert(at);
            }
            // The trailer, or the end of a file that lacks one.
            Some(0x3B) | None => break,
            Some(_) => return Err(OcrError::NotAnImage),
        }
    }
    match (frames, first_end) {
        (0, _) | (_, None) => Err(OcrError::NotAnImage),
        (1, _) => Ok(Cow::Borrowed(gif)),
        (_, Some(end)) => {
            let mut first = gif[..end].to_vec();
            first.push(0x3B);
            Ok(Cow::Owned(first))
        }
    }
}

/// A WebP that is one still image: no animation flag in `VP8X`, no `ANMF` frame.
fn webp_still(webp: &[u8]) -> Result<(), OcrError> {
    let mut at = 12;
    while at + 8 <= webp.len() {
        let kind = &webp[at..at + 4];
        let len = u32_le(webp, at + 4).ok_or(OcrError::NotAnImage)? as usize;
        let animated_flag = kind == b"VP8X" && webp.get(at + 8).is_some_and(|f| f & 0x02 != 0);
        if animated_flag || kind == b"ANMF" || kind == b"ANIM" {
            return Err(OcrError::Unsupported);
        }
        // Chunks are padded to an even length.
        at = at.saturating_add(8).saturating_add(len + (len & 1));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GIF of `frames` (width, height), each with a one-byte LZW stream.
    fn gif(screen: (u16, u16), frames: &[(u16, u16)]) -> Vec<u8> {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&screen.0.to_le_bytes());
        g.extend_from_slice(&screen.1.to_le_bytes());
        // A global colour table of two entries.
        g.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
        for (w, h) in frames {
            // A graphic control extension, as animations have.
            g.extend_from_slice(&[0x21, 0xF9, 4, 0, 10, 0, 0, 0]);
            g.push(0x2C);
            g.extend_from_slice(&[0, 0, 0, 0]);
            g.extend_from_slice(&w.to_le_bytes());
            g.extend_from_slice(&h.to_le_bytes());
            g.extend_from_slice(&[0, 2, 2, 0x4C, 0x01, 0]);
        }
        g.push(0x3B);
        g
    }

    #[test]
    fn a_gif_with_a_huge_later_frame_is_refused() {
        let image = gif((100, 100), &[(100, 100), (65535, 65535)]);
        assert_eq!(first_frame(&image, 12_000_000), Err(OcrError::TooLarge));
    }

    #[test]
    fn a_gif_of_several_frames_is_cut_to_its_first() {
        let image = gif((100, 100), &[(100, 100), (50, 50), (80, 80)]);
        let first = first_frame(&image, 12_000_000).unwrap();
        assert_eq!(first.as_ref(), gif((100, 100), &[(100, 100)]).as_slice());
        let single = gif((100, 100), &[(100, 100)]);
        assert!(matches!(
            first_frame(&single, 12_000_000),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn a_gif_cut_short_is_not_an_image() {
        let image = gif((100, 100), &[(100, 100)]);
        assert_eq!(
            first_frame(&image[..image.len() - 4], 12_000_000),
            Err(OcrError::NotAnImage)
        );
    }

    /// A PNG's chunk (the CRC left zero: only the structure is read here).
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0; 4]);
        c
    }

    #[test]
    fn an_apng_frame_over_the_limit_is_refused() {
        let mut ihdr = 100u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&100u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let frame = |w: u32, h: u32| {
            let mut f = 0u32.to_be_bytes().to_vec();
            f.extend_from_slice(&w.to_be_bytes());
            f.extend_from_slice(&h.to_be_bytes());
            f.extend_from_slice(&[0; 14]);
            chunk(b"fcTL", &f)
        };
        let apng = |later: u32| {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend(chunk(b"IHDR", &ihdr));
            png.extend(chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]));
            png.extend(frame(100, 100));
            png.extend(chunk(b"IDAT", &[0; 16]));
            png.extend(frame(later, later));
            png.extend(chunk(b"fdAT", &[0; 16]));
            png.extend(chunk(b"IEND", &[]));
            png
        };
        assert!(first_frame(&apng(50), 12_000_000).is_ok());
        assert_eq!(
            first_frame(&apng(100_000), 12_000_000),
            Err(OcrError::TooLarge)
        );
    }

    #[test]
    fn other_formats_and_animations_are_refused() {
        // A little-endian TIFF header: a format that may hold many pages.
        let tiff = b"II*\0\x08\0\0\0\x0b\0\x00\x01\x03\0\x01\0\0\0\x10\0\0\0".to_vec();
        assert!(first_frame(&tiff, 12_000_000).is_err());
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
        // The animation flag, and a 100×100 canvas (sizes less one, 24 bits each).
        webp.extend_from_slice(&[0x02, 0, 0, 0, 99, 0, 0, 99, 0, 0]);
        assert_eq!(first_frame(&webp, 12_000_000), Err(OcrError::Unsupported));
    }
}

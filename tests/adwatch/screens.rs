//! Screenshots of ad texts, rendered in the test with a font from the system: white or
//! coloured banners at several sizes, and one that looks photographed (noise, low JPEG quality).

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{ImageBuffer, Rgb, RgbImage};

/// A system font that has Cyrillic (DejaVu Sans, or Liberation, Noto, FreeSans).
pub fn system_font() -> Option<FontVec> {
    let candidates = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    ];
    candidates
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .and_then(|bytes| FontVec::try_from_vec(bytes).ok())
}

/// How a screenshot looks.
#[derive(Clone, Copy)]
pub struct Look {
    pub width: u32,
    pub height: u32,
    pub font_px: f32,
    pub background: [u8; 3],
    pub ink: [u8; 3],
    /// Grain and a low-quality JPEG, as a photo of a screen.
    pub photographed: bool,
}

impl Look {
    pub fn banner(width: u32, height: u32, font_px: f32) -> Look {
        Look {
            width,
            height,
            font_px,
            background: [255, 255, 255],
            ink: [20, 20, 20],
            photographed: false,
        }
    }
}

/// Wraps `text` to the width and draws it; PNG, or JPEG when photographed.
pub fn render(font: &FontVec, text: &str, look: Look) -> Vec<u8> {
    let mut img: RgbImage = ImageBuffer::from_pixel(look.width, look.height, Rgb(look.background));
    let scale = PxScale::from(look.font_px);
    let scaled = font.as_scaled(scale);
    let margin = look.font_px;
    let line_height = scaled.height() + scaled.line_gap() + look.font_px * 0.3;
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            let width: f32 = candidate
                .chars()
                .map(|c| scaled.h_advance(font.glyph_id(c)))
                .sum();
            if width > look.width as f32 - 2.0 * margin && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    for (i, line) in lines.iter().enumerate() {
        let baseline = margin + scaled.ascent() + i as f32 * line_height;
        let mut x = margin;
        for c in line.chars() {
            let id = font.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
            x += scaled.h_advance(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    let px = bounds.min.x as i32 + gx as i32;
                    let py = bounds.min.y as i32 + gy as i32;
                    if px < 0 || py < 0 || px >= look.width as i32 || py >= look.height as i32 {
                        return;
                    }
                    let pixel = img.get_pixel_mut(px as u32, py as u32);
                    for k in 0..3 {
                        let bg = pixel.0[k] as f32;
                        let ink = look.ink[k] as f32;
                        pixel.0[k] = (bg + (ink - bg) * coverage).round() as u8;
                    }
                });
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    if look.photographed {
        // Grain from a fixed sequence, so the test reads the same picture every time.
        let mut state: u32 = 0x9e37_79b9;
        for pixel in img.pixels_mut() {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let grain = (state % 61) as i32 - 30;
            for k in 0..3 {
                pixel.0[k] = (pixel.0[k] as i32 + grain).clamp(0, 255) as u8;
            }
        }
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 55);
        img.write_with_encoder(encoder).expect("JPEG");
    } else {
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("PNG");
    }
    out.into_inner()
}

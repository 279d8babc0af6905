//! DEFLATE for share links by the browser itself: `CompressionStream` and
//! `DecompressionStream` with the `deflate-raw` format (every browser the page supports
//! has them). Links stay raw DEFLATE in base64url, as they always were; the page's wasm
//! carries no compressor or inflater of its own (about 5 KB of brotli).

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader, ReadableWritablePair};

#[wasm_bindgen]
extern "C" {
    /// The platform's transform streams (web-sys has them only behind an unstable cfg).
    type CompressionStream;
    #[wasm_bindgen(constructor)]
    fn new(format: &str) -> CompressionStream;

    type DecompressionStream;
    #[wasm_bindgen(constructor)]
    fn new(format: &str) -> DecompressionStream;
}

/// Why bytes could not be inflated.
pub enum Inflate {
    /// More output than the limit: read no further.
    TooLarge,
    /// Not a DEFLATE stream, or cut short.
    Damaged,
}

/// Raw DEFLATE of `bytes`.
pub async fn compress(bytes: &[u8]) -> Result<Vec<u8>, Inflate> {
    let transform: ReadableWritablePair = CompressionStream::new("deflate-raw").unchecked_into();
    read_all(through(bytes, &transform)?, usize::MAX).await
}

/// What raw DEFLATE `bytes` expand to, read chunk by chunk and stopped past `limit`
/// bytes (a share link of 1.5 MB could otherwise expand to gigabytes).
pub async fn decompress(bytes: &[u8], limit: usize) -> Result<Vec<u8>, Inflate> {
    let transform: ReadableWritablePair = DecompressionStream::new("deflate-raw").unchecked_into();
    read_all(through(bytes, &transform)?, limit).await
}

fn through(bytes: &[u8], transform: &ReadableWritablePair) -> Result<ReadableStream, Inflate> {
    let blob = Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).map_err(|_| Inflate::Damaged)?;
    Ok(blob.stream().pipe_through(transform))
}

async fn read_all(stream: ReadableStream, limit: usize) -> Result<Vec<u8>, Inflate> {
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut out = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| Inflate::Damaged)?;
        if Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            return Ok(out);
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into()).ok().and_then(|v| v.dyn_into().ok()).ok_or(Inflate::Damaged)?;
        let start = out.len();
        let end = start.saturating_add(value.length() as usize);
        if end > limit {
            let _ = reader.cancel();
            return Err(Inflate::TooLarge);
        }
        out.resize(end, 0);
        if let Some(slot) = out.get_mut(start..end) {
            value.copy_to(slot);
        }
    }
}

//! The pure helpers (`wsdeck.format.*`, `wsdeck.vars.complete`): they touch nothing outside
//! the request, so anyone may call them; their output is bounded by the answer limit.

use serde_json::Value;
use wsdeck_format::binary::{decode_base64, decode_hex};
use wsdeck_format::scope::Scopes;
use wsdeck_format::{FormatError, HexDump, Indent};

use crate::Reply;
use crate::bounded::{JsonArray, PAGE_OVERHEAD, Room, json_string_len, too_large};
use crate::error::ApiError;
use crate::methods::HelperMethod;
use crate::parse::{bad_param, parse, variables_of};
use crate::wire::format::{
    CompleteParams, Completion, CompletionItem, DetectParams, Detected, Diagnostic, HexdumpLine,
    HexdumpParams, IndentParam, MinifyParams, Range, RenderParams, TabWord, TextFormat, TextResult,
    ValidateFormat, ValidateParams,
};

/// Runs one helper; `max` is what its answer may take.
pub(crate) fn call(
    method: HelperMethod,
    params: Option<Value>,
    max: Room,
) -> Result<Reply, ApiError> {
    match method {
        HelperMethod::Detect => format_detect(params).map(json_reply),
        HelperMethod::Beautify => {
            let p: RenderParams = parse(params)?;
            format_render(p.text, p.format, Some(indent_of(p.indent)?), max)
        }
        HelperMethod::Minify => {
            let p: MinifyParams = parse(params)?;
            format_render(p.text, p.format, None, max)
        }
        HelperMethod::Validate => format_validate(params, max),
        HelperMethod::Hexdump => format_hexdump(params, max),
        HelperMethod::Complete => vars_complete(params).map(json_reply),
    }
}

/// A typed result as the reply's JSON.
pub(crate) fn json_reply<T: serde::Serialize>(result: T) -> Reply {
    Reply::Json(serde_json::to_value(result).unwrap_or_default())
}

/// Widest hexdump line accepted.
const MAX_HEX_WIDTH: usize = 256;

fn format_detect(params: Option<Value>) -> Result<Detected, ApiError> {
    let p: DetectParams = parse(params)?;
    let bytes = match (p.text, p.base64) {
        (Some(t), None) => t.into_bytes(),
        (None, Some(b)) => decode_base64(&b).map_err(|e| bad_param("base64", e.to_string()))?,
        _ => {
            return Err(bad_param(
                "params",
                "give exactly one of `text` and `base64`",
            ));
        }
    };
    let found = wsdeck_format::detect(&bytes);
    Ok(Detected {
        format: found.format.into(),
        mime: found.mime.to_owned(),
        size: found.size as u64,
    })
}

/// Beautify or minify, producing at most `max` bytes of answer (the format crate stops
/// at its output limit, so a hostile input cannot make it write gigabytes).
/// `indent` of `wsdeck.format.beautify` (default: the format crate's).
fn indent_of(indent: Option<IndentParam>) -> Result<Indent, ApiError> {
    Ok(match indent {
        None => Indent::default(),
        Some(IndentParam::Spaces(n)) if n <= 16 => Indent::Spaces(n),
        Some(IndentParam::Spaces(n)) => {
            return Err(bad_param("indent", format!("{n} is more than 16 spaces")));
        }
        Some(IndentParam::Tab(TabWord::Tab)) => Indent::Tab,
    })
}

/// `text` beautified with `indent`, or minified without one.
fn format_render(
    source: String,
    format: TextFormat,
    indent: Option<Indent>,
    max: Room,
) -> Result<Reply, ApiError> {
    use wsdeck_format::{Style, html, json as fjson, xml};
    let pretty = indent.is_some();
    let style = Style {
        max_output: max.room,
        ..match indent {
            Some(indent) => Style::pretty(indent),
            None => Style::minified(),
        }
    };
    let mut text = String::new();
    let result = match format {
        TextFormat::Json => fjson::format_into(&source, &style, &mut text),
        TextFormat::Xml => xml::format_into(&source, &style, &mut text),
        TextFormat::Html => html::format_into(&source, &style, &mut text),
    };
    let what = if pretty { "beautified" } else { "minified" };
    let too_big = || {
        too_large(
            max,
            format!("the {what} text would be larger than {}", max.words()),
        )
    };
    result.map_err(|e| match e {
        FormatError::TooLarge { .. } => too_big(),
        e => bad_param("text", e.to_string()),
    })?;
    if json_string_len(&text) + 16 > max.room {
        return Err(too_big());
    }
    Ok(json_reply(TextResult { text }))
}

/// Diagnostics of a text, at most `max` bytes of them: the rest are counted in `omitted`.
fn format_validate(params: Option<Value>, max: Room) -> Result<Reply, ApiError> {
    use wsdeck_format::{html, json as fjson, xml};
    let p: ValidateParams = parse(params)?;
    let first = |r: Result<(), FormatError>| -> Vec<wsdeck_format::Diagnostic> {
        r.err().map(Into::into).into_iter().collect()
    };
    let diagnostics: Vec<wsdeck_format::Diagnostic> = match p.format {
        ValidateFormat::Json => first(fjson::validate(&p.text)),
        ValidateFormat::Xml => first(xml::validate(&p.text)),
        ValidateFormat::Html => html::check(&p.text),
        ValidateFormat::Hex => first(decode_hex(&p.text).map(drop)),
        ValidateFormat::Base64 => first(decode_base64(&p.text).map(drop)),
    };
    let ok = diagnostics
        .iter()
        .all(|d| d.severity != wsdeck_format::Severity::Error);
    let mut errors = JsonArray::new(max.room.saturating_sub(PAGE_OVERHEAD));
    let mut omitted = 0;
    for d in &diagnostics {
        let text = serde_json::to_string(&Diagnostic::from(d)).unwrap_or_default();
        if omitted > 0 || !errors.push(&text) {
            omitted += 1;
        }
    }
    Ok(Reply::Text(crate::bounded::validation(
        ok,
        &errors.finish(),
        omitted,
    )))
}

/// A hexdump's lines, written one by one; refused before anything is built when its size
/// would certainly exceed `max` (and stopped as soon as it does while being written).
fn format_hexdump(params: Option<Value>, max: Room) -> Result<Reply, ApiError> {
    let p: HexdumpParams = parse(params)?;
    let bytes = decode_base64(&p.base64).map_err(|e| bad_param("base64", e.to_string()))?;
    let mut dump = HexDump::new(&bytes);
    if let Some(width) = p.width {
        if width == 0 || width > MAX_HEX_WIDTH {
            return Err(bad_param(
                "width",
                format!("{width} is not between 1 and {MAX_HEX_WIDTH}"),
            ));
        }
        dump = dump.with_width(width);
    }
    let width = dump.width();
    let lines = dump.line_count();
    // At least `{"offset":0,"hex":"","ascii":""}` plus 3 characters per byte; at most
    // about 64 plus 5 per byte.
    let least = lines.saturating_mul(32 + 3 * width);
    let estimate = lines.saturating_mul(64 + 5 * width);
    let too_big = |size: usize| {
        too_large(
            max,
            format!(
                "a hexdump of {} bytes at width {width} takes about {size} bytes, more than {}; dump fewer bytes or use a wider width",
                bytes.len(),
                max.words()
            ),
        )
    };
    // The estimate is an upper bound: refuse only what is certainly too large before
    // writing, and check the real size while writing.
    if least > max.room {
        return Err(too_big(estimate));
    }
    let mut out = JsonArray::new(max.room.saturating_sub(PAGE_OVERHEAD));
    for l in dump.lines() {
        let line = HexdumpLine {
            offset: l.offset as u64,
            hex: l.hex(),
            ascii: l.ascii(),
        };
        if !out.push(&serde_json::to_string(&line).unwrap_or_default()) {
            return Err(too_big(estimate));
        }
    }
    Ok(Reply::Text(crate::bounded::hexdump(&out.finish())))
}

fn vars_complete(params: Option<Value>) -> Result<Completion, ApiError> {
    let p: CompleteParams = parse(params)?;
    let variables = variables_of(p.variables);
    let scopes = Scopes::new().with_local(&variables);
    let completion = wsdeck_format::autocomplete::complete(&p.text, p.cursor, &scopes);
    let items = completion
        .items
        .iter()
        .map(|i| CompletionItem {
            name: i.name.clone(),
            scope: i.scope.label().to_owned(),
            preview: i.preview.clone(),
            description: i.description.map(str::to_owned),
            insert_text: i.insert_text.clone(),
        })
        .collect();
    Ok(Completion {
        replace_range: Range {
            start: completion.replace_range.start as u64,
            end: completion.replace_range.end as u64,
        },
        items,
    })
}

// ---- wire shapes of engine values -------------------------------------------------------

//! Properties of the formats half, over generated inputs (proptest, 256 cases each).

use proptest::prelude::*;
use wsdeck_format::binary::{decode_base64, decode_hex, encode_base64, encode_hex};
use wsdeck_format::hexdump::HexDump;
use wsdeck_format::{Format, Indent, Style, detect, html, json, render, xml};

// ---------------------------------------------------------------- JSON text generators

fn ws() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", " ", "\n", "\t", "\r\n", "   "])
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        "-?[1-9][0-9]{0,45}",
        "-?(0|[1-9][0-9]{0,3})\\.[0-9]{1,20}([eE][+-]?[0-9]{1,4})?",
        prop::sample::select(vec![
            "123456789012345678901234567890",
            "-123456789012345678901234567890",
            "1e400",
            "-1E-400",
            "-0.0",
            "0",
            "18446744073709551616",
            "1.7976931348623157e309",
        ])
        .prop_map(str::to_owned),
    ]
}

fn string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ,:{}\\[\\]]{0,6}",
        prop::sample::select(vec![
            "\\\"",
            "\\\\",
            "\\/",
            "\\n",
            "\\t",
            "\\b",
            "\\f",
            "\\r",
            "\\u00e9",
            "\\u0000",
            "\\ud83d\\ude00",
            "\\ud800",
            "\\uDFFF",
            "é",
            "😀",
            "\u{2028}",
            "\u{7f}",
        ])
        .prop_map(str::to_owned),
        any::<char>()
            .prop_filter("allowed raw in a string", |c| {
                *c != '"' && *c != '\\' && (*c as u32) >= 0x20
            })
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => number(),
        3 => string(),
        1 => prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_owned),
    ]
}

fn json_value() -> impl Strategy<Value = String> {
    leaf().prop_recursive(6, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec((ws(), inner.clone(), ws()), 0..6).prop_map(|items| {
                let body: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", body.join(","))
            }),
            prop::collection::vec((ws(), string(), ws(), ws(), inner, ws()), 0..6).prop_map(
                |members| {
                    let body: Vec<String> = members
                        .into_iter()
                        .map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"))
                        .collect();
                    format!("{{{}}}", body.join(","))
                }
            ),
        ]
    })
}

/// A value nested 1..400 levels deep (serde_json's `Value` gives up at 128).
fn deep_json() -> impl Strategy<Value = String> {
    (prop::collection::vec(any::<bool>(), 1..400), leaf()).prop_map(|(levels, leaf)| {
        let mut text = String::new();
        for &object in &levels {
            text.push_str(if object { "{\"k\": " } else { "[ " });
        }
        text.push_str(&leaf);
        for &object in levels.iter().rev() {
            text.push_str(if object { " }" } else { "]" });
        }
        text
    })
}

fn any_json() -> impl Strategy<Value = String> {
    prop_oneof![4 => (ws(), json_value(), ws()).prop_map(|(a, v, b)| format!("{a}{v}{b}")), 1 => deep_json()]
}

fn indent() -> impl Strategy<Value = Indent> {
    prop_oneof![(0u8..9).prop_map(Indent::Spaces), Just(Indent::Tab)]
}

proptest! {
    #[test]
    fn json_generated_text_is_valid(text in any_json()) {
        prop_assert!(json::validate(&text).is_ok(), "{}", json::validate(&text).unwrap_err());
    }

    #[test]
    fn json_beautify_then_minify_equals_minify(text in any_json(), indent in indent()) {
        let minified = json::minify(&text).unwrap();
        let pretty = json::beautify(&text, indent).unwrap();
        prop_assert_eq!(json::minify(&pretty).unwrap(), minified.clone());
        // Beautifying is idempotent too.
        prop_assert_eq!(json::beautify(&pretty, indent).unwrap(), pretty);
    }

    #[test]
    fn json_minify_is_idempotent(text in any_json()) {
        let once = json::minify(&text).unwrap();
        prop_assert_eq!(json::minify(&once).unwrap(), once.clone());
        prop_assert!(!once.contains(['\n', '\t', '\r']) || once.contains('"'));
    }

    #[test]
    fn json_beautify_keeps_the_value(text in any_json(), indent in indent()) {
        // Where serde_json can represent it (no 1e400, depth under 128), the value is equal.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            let pretty = json::beautify(&text, indent).unwrap();
            let again: serde_json::Value = serde_json::from_str(&pretty).unwrap();
            prop_assert_eq!(again, value);
        }
    }

    #[test]
    fn json_big_numbers_survive_verbatim(digits in "[1-9][0-9]{20,60}", exp in 309u32..5000) {
        let text = format!("{{\"n\": {digits}, \"f\": 1e{exp}, \"list\": [{digits}.5]}}");
        let pretty = json::beautify(&text, Indent::Spaces(2)).unwrap();
        let n = format!("\"n\": {digits},");
        let f = format!("\"f\": 1e{exp},");
        let fraction = format!("{digits}.5");
        prop_assert!(pretty.contains(&n), "{} not in {}", n, pretty);
        prop_assert!(pretty.contains(&f), "{} not in {}", f, pretty);
        prop_assert!(pretty.contains(&fraction), "{} not in {}", fraction, pretty);
    }

    #[test]
    fn json_errors_never_panic_and_point_inside(text in "[\\[\\]{}\",:0-9a-z\\\\ \n.eE+-]{0,40}") {
        if let Err(error) = json::validate(&text) {
            let at = error.position().unwrap();
            prop_assert!(at.offset <= text.len());
            prop_assert!(at.line >= 1 && at.column >= 1);
        } else {
            prop_assert_eq!(json::minify(&json::beautify(&text, Indent::Tab).unwrap()).unwrap(), json::minify(&text).unwrap());
        }
    }
}

// ---------------------------------------------------------------- binary input

proptest! {
    #[test]
    fn hex_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert_eq!(decode_hex(&encode_hex(&bytes)).unwrap(), bytes.clone());
        let contiguous: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        prop_assert_eq!(decode_hex(&contiguous).unwrap(), bytes.clone());
        let c_array: Vec<String> = bytes.iter().map(|b| format!("0x{b:02x}")).collect();
        prop_assert_eq!(decode_hex(&c_array.join(", ")).unwrap(), bytes);
    }

    #[test]
    fn base64_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..512), wrap in 1usize..80) {
        use base64::Engine as _;
        let standard = encode_base64(&bytes);
        prop_assert_eq!(decode_base64(&standard).unwrap(), bytes.clone());
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        prop_assert_eq!(decode_base64(&url).unwrap(), bytes.clone());
        let wrapped: Vec<String> = standard
            .as_bytes()
            .chunks(wrap)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        prop_assert_eq!(decode_base64(&wrapped.join("\r\n")).unwrap(), bytes);
    }

    #[test]
    fn binary_decoders_never_panic(text in "\\PC{0,64}") {
        for result in [decode_hex(&text), decode_base64(&text)] {
            if let Err(error) = result {
                prop_assert!(error.position().unwrap().offset <= text.len());
            }
        }
    }
}

// ---------------------------------------------------------------- hexdump and detect

proptest! {
    #[test]
    fn hexdump_line_count(bytes in prop::collection::vec(any::<u8>(), 0..300), width in 1usize..40) {
        let dump = HexDump::new(&bytes).with_width(width);
        let expected = bytes.len().div_ceil(width);
        prop_assert_eq!(dump.line_count(), expected);
        prop_assert_eq!(dump.lines().count(), expected);
        let text = dump.to_string();
        prop_assert_eq!(if text.is_empty() { 0 } else { text.lines().count() }, expected);
        let joined: Vec<u8> = dump.lines().flat_map(|line| line.bytes.iter().copied()).collect();
        prop_assert_eq!(joined, bytes);
    }

    #[test]
    fn detect_and_render_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let found = detect(&bytes);
        prop_assert_eq!(found.size, bytes.len());
        prop_assert_eq!(found.mime, found.format.mime());
        for format in [Format::Text, Format::Json, Format::Xml, Format::Html, Format::Binary] {
            let _ = render(&bytes, format, &Style::default());
            let _ = render(&bytes, format, &Style::minified());
        }
    }

    #[test]
    fn detect_markup_like_text_never_panics(text in "[<>/!?a-z =\"'&;\\[\\]{}:,0-9\n-]{0,80}") {
        let found = detect(text.as_bytes());
        // Whatever was detected renders as that format.
        prop_assert!(render(text.as_bytes(), found.format, &Style::default()).is_ok());
    }
}

// ---------------------------------------------------------------- XML and HTML

fn xml_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "item", "ns:x", "_y", "é"]).prop_map(str::to_owned)
}

fn xml_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        " ",
        "\n  ",
        "text",
        " two words ",
        "&amp;",
        "&#x41;",
        "1 &lt; 2",
        "é",
        "\t",
    ])
    .prop_map(str::to_owned)
}

fn xml_element() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (xml_name(), xml_text()).prop_map(|(n, t)| format!("<{n}>{t}</{n}>")),
        xml_name().prop_map(|n| format!("<{n}  k = \"v\" />")),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        (
            xml_name(),
            prop::collection::vec(
                prop_oneof![
                    3 => inner,
                    1 => xml_text(),
                    1 => Just("<!-- c -->".to_owned()),
                    1 => Just("<![CDATA[ <raw> ]]>".to_owned()),
                    1 => Just("<?pi x?>".to_owned()),
                ],
                0..5,
            ),
        )
            .prop_map(|(name, children)| format!("<{name} a='1'>{}</{name}>", children.concat()))
    })
}

fn xml_document() -> impl Strategy<Value = String> {
    (any::<bool>(), ws(), xml_element(), ws()).prop_map(|(decl, a, root, b)| {
        let decl = if decl {
            "<?xml version=\"1.0\"?>\n<!-- top -->"
        } else {
            ""
        };
        format!("{decl}{a}{root}{b}")
    })
}

fn markup_soup() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<span>",
        "</span>",
        "<b>",
        "</b>",
        "<br>",
        "<img src=x>",
        "<pre>",
        "</pre>",
        "<script>",
        "</script>",
        "<ul>",
        "<li>",
        "</ul>",
        "<table>",
        "<td>",
        "</table>",
        "<!-- c -->",
        "<!DOCTYPE html>",
        "text",
        " ",
        "\n",
        "  words  here ",
        "&amp;",
        "<a href='x y'>",
        "</a>",
        "<textarea>",
        "</textarea>",
        "<",
        ">",
        "<div/>",
        "<svg>",
        "<path/>",
        "</svg>",
        "<style>",
        "</style>",
        "<head>",
        "<title>",
        "<meta charset=x>",
        "<body>",
        "é",
    ]);
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn xml_beautify_then_minify_equals_minify(doc in xml_document(), indent in indent()) {
        prop_assert!(xml::validate(&doc).is_ok(), "{}\n{}", doc, xml::validate(&doc).unwrap_err());
        let minified = xml::minify(&doc).unwrap();
        let pretty = xml::beautify(&doc, indent).unwrap();
        prop_assert!(xml::validate(&pretty).is_ok());
        prop_assert_eq!(xml::minify(&pretty).unwrap(), minified.clone());
        prop_assert_eq!(xml::minify(&minified).unwrap(), minified);
        prop_assert_eq!(xml::beautify(&pretty, indent).unwrap(), pretty);
    }

    #[test]
    fn html_beautify_then_minify_equals_minify(soup in markup_soup(), indent in indent()) {
        let minified = html::minify(&soup).unwrap();
        let pretty = html::beautify(&soup, indent).unwrap();
        prop_assert_eq!(html::minify(&pretty).unwrap(), minified.clone());
        prop_assert_eq!(html::minify(&minified).unwrap(), minified);
        let _ = html::check(&soup);
    }
}

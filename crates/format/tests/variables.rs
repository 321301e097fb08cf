//! Properties of `{{variables}}`: templates, escaping, resolution, secrets, autocomplete and
//! environment files, checked on generated inputs.

use proptest::prelude::*;
use wsdeck_format::autocomplete::complete;
use wsdeck_format::dynamic::FixedSource;
use wsdeck_format::environment::{Environment, Variable, parse_env_file};
use wsdeck_format::postman::parse_export;
use wsdeck_format::resolve::{ProblemKind, Resolver};
use wsdeck_format::scope::Scopes;
use wsdeck_format::template::{Segment, Template, escape};

/// Text that is mostly braces, backslashes and spaces: where the parser's edge cases are.
fn brace_heavy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("{{".to_owned()),
            Just("}}".to_owned()),
            Just("\\".to_owned()),
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("$".to_owned()),
            Just("é".to_owned()),
            "[a-c]{1,3}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), brace_heavy()]
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}"
}

/// A literal piece that cannot start or end a reference or an escape.
fn plain() -> impl Strategy<Value = String> {
    "[a-z0-9 :/.,\"\\[\\]é]{0,12}"
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Ref {
        name: usize,
        pad_left: String,
        pad_right: String,
    },
}

fn parts(names: usize) -> impl Strategy<Value = Vec<Part>> {
    proptest::collection::vec(
        prop_oneof![
            plain().prop_map(Part::Text),
            (0..names, "[ \t]{0,2}", "[ \t]{0,2}").prop_map(|(name, pad_left, pad_right)| {
                Part::Ref {
                    name,
                    pad_left,
                    pad_right,
                }
            }),
        ],
        0..10,
    )
}

fn render(parts: &[Part], names: &[String]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::Ref {
                name,
                pad_left,
                pad_right,
            } => format!("{{{{{pad_left}{}{pad_right}}}}}", names[*name]),
        })
        .collect()
}

fn resolver_for<'r, 'a>(scopes: Scopes<'a>, source: &'r mut FixedSource) -> Resolver<'r, 'a> {
    Resolver::new(scopes, source)
}

proptest! {
    #[test]
    fn parse_never_panics(text in any_text()) {
        let _ = Template::parse(&text);
        let mut source = FixedSource::new(0, 0);
        let _ = resolver_for(Scopes::new(), &mut source).resolve("message", &text);
    }

    #[test]
    fn text_without_braces_resolves_to_itself(text in any_text()) {
        prop_assume!(!text.contains("{{"));
        let mut source = FixedSource::new(0, 0);
        let resolved = resolver_for(Scopes::new(), &mut source)
            .resolve("message", &text)
            .unwrap();
        prop_assert_eq!(resolved.text(), text.as_str());
        prop_assert_eq!(resolved.redacted(), text.as_str());
    }

    #[test]
    fn escape_then_parse_gives_the_literal_back(text in any_text()) {
        let escaped = escape(&text);
        let template = Template::parse(&escaped).unwrap();
        prop_assert_eq!(template.references().count(), 0);
        prop_assert_eq!(template.as_literal(), Some(text.clone()));
        let mut source = FixedSource::new(0, 0);
        let resolved = resolver_for(Scopes::new(), &mut source)
            .resolve("message", &escaped)
            .unwrap();
        prop_assert_eq!(resolved.text(), text.as_str());
    }

    #[test]
    fn spans_point_at_references(text in any_text()) {
        if let Ok(template) = Template::parse(&text) {
            for r in template.references() {
                let slice = &text[r.span.clone()];
                prop_assert!(slice.starts_with("{{"), "{:?} at {:?}", slice, r.span);
                prop_assert!(slice.ends_with("}}"), "{:?} at {:?}", slice, r.span);
                prop_assert_eq!(slice[2..slice.len() - 2].trim(), r.name.as_str());
                prop_assert_eq!(r.position.offset, r.span.start);
                prop_assert_eq!(
                    r.position,
                    wsdeck_format::error::Position::locate(&text, r.span.start)
                );
            }
        }
    }

    #[test]
    fn errors_point_at_an_opening_brace(text in any_text()) {
        if let Err(e) = Template::parse(&text) {
            prop_assert!(text[e.span.start..].starts_with("{{"), "{:?}: {}", text, e);
            prop_assert!(e.span.end <= text.len());
            prop_assert_eq!(e.position.offset, e.span.start);
        }
    }

    #[test]
    fn resolution_matches_a_model(
        names in proptest::collection::hash_set(name(), 1..5),
        values in proptest::collection::vec(plain(), 5),
        parts in parts(5),
    ) {
        let names: Vec<String> = names.into_iter().collect();
        let env = Environment {
            name: "model".into(),
            variables: names
                .iter()
                .zip(&values)
                .map(|(n, v)| Variable::new(n.clone(), v.clone()))
                .collect(),
        };
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|p| match p {
                Part::Ref { name, pad_left, pad_right } => Part::Ref {
                    name: name % names.len(),
                    pad_left,
                    pad_right,
                },
                other => other,
            })
            .collect();
        let text = render(&parts, &names);
        let expected: String = parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Ref { name, .. } => values[*name].clone(),
            })
            .collect();
        let mut source = FixedSource::new(0, 0);
        let resolved = resolver_for(Scopes::new().with_environment(&env), &mut source)
            .resolve("message", &text)
            .unwrap();
        prop_assert_eq!(resolved.text(), expected.as_str());
    }

    #[test]
    fn every_missing_variable_is_reported_where_it_is(
        names in proptest::collection::hash_set(name(), 1..5),
        parts in parts(5),
    ) {
        let names: Vec<String> = names.into_iter().collect();
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|p| match p {
                Part::Ref { name, pad_left, pad_right } => Part::Ref {
                    name: name % names.len(),
                    pad_left,
                    pad_right,
                },
                other => other,
            })
            .collect();
        let text = render(&parts, &names);
        let references = Template::parse(&text).unwrap();
        let expected: Vec<(usize, String)> = references
            .references()
            .map(|r| (r.span.start, r.name.clone()))
            .collect();
        let mut source = FixedSource::new(0, 0);
        let result = resolver_for(Scopes::new(), &mut source).resolve("message", &text);
        if expected.is_empty() {
            prop_assert!(result.is_ok());
        } else {
            let err = result.unwrap_err();
            let got: Vec<(usize, String)> = err
                .problems()
                .iter()
                .map(|p| match &p.kind {
                    ProblemKind::Undefined { name, .. } => (p.span.start, name.clone()),
                    other => panic!("unexpected {other:?}"),
                })
                .collect();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn redacted_text_never_contains_a_secret(
        secrets in proptest::collection::vec("[a-z0-9]{4,8}", 1..4),
        plains in proptest::collection::vec("[a-z0-9 ]{0,8}", 3),
        parts in proptest::collection::vec(
            prop_oneof![
                "[a-z0-9 ]{0,8}".prop_map(Part::Text),
                (0usize..10).prop_map(|name| Part::Ref {
                    name,
                    pad_left: String::new(),
                    pad_right: String::new(),
                }),
            ],
            0..10,
        ),
    ) {
        // Secrets s0.., plain p0.., plus variables mixing them: `wrap` (plain around a
        // secret) and `nested_secret` (a secret made of plain and secret parts).
        let mut env = Environment::new("e");
        let mut names = Vec::new();
        for (i, s) in secrets.iter().enumerate() {
            env.variables.push(Variable::secret(format!("s{i}"), s.clone()));
            names.push(format!("s{i}"));
        }
        for (i, p) in plains.iter().enumerate() {
            env.variables.push(Variable::new(format!("p{i}"), p.clone()));
            names.push(format!("p{i}"));
        }
        env.variables.push(Variable::new("wrap", "[{{p0}}{{s0}}{{p1}}]"));
        env.variables.push(Variable::secret("nested_secret", "{{p2}}-{{s0}}"));
        names.push("wrap".into());
        names.push("nested_secret".into());
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|p| match p {
                Part::Ref { name, pad_left, pad_right } => Part::Ref {
                    name: name % names.len(),
                    pad_left,
                    pad_right,
                },
                other => other,
            })
            .collect();
        let text = render(&parts, &names);
        let mut source = FixedSource::new(0, 0);
        let resolved = resolver_for(Scopes::new().with_environment(&env), &mut source)
            .resolve("message", &text)
            .unwrap();
        for s in &secrets {
            prop_assert!(
                !resolved.redacted().contains(s.as_str()),
                "secret {:?} in {:?}",
                s,
                resolved.redacted()
            );
        }
        let debug_resolved = format!("{resolved:?}");
        let debug_env = format!("{env:?}");
        let quoted = format!("\"{}\"", secrets[0]);
        prop_assert!(!debug_resolved.contains(secrets[0].as_str()), "{}", debug_resolved);
        prop_assert!(!debug_env.contains(&quoted), "{}", debug_env);
    }

    #[test]
    fn complete_never_panics_and_ranges_are_valid(text in any_text(), cursor in 0usize..64) {
        let env = Environment::new("e")
            .with(Variable::new("abc", "1"))
            .with(Variable::secret("a b", "2"));
        let completion = complete(&text, cursor, &Scopes::new().with_environment(&env));
        let range = completion.replace_range;
        prop_assert!(range.start <= range.end);
        if !completion.items.is_empty() {
            prop_assert!(range.end <= text.len());
            prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            prop_assert!(range.start <= cursor && cursor <= range.end);
        }
    }

    #[test]
    fn env_file_round_trips(
        env_name in any::<String>(),
        vars in proptest::collection::vec((name(), any::<String>(), any::<bool>(), any::<bool>()), 0..6),
    ) {
        let env = Environment {
            name: env_name,
            variables: vars
                .into_iter()
                .map(|(name, value, secret, enabled)| Variable { name, value, secret, enabled })
                .collect(),
        };
        let text = env.to_json();
        prop_assert_eq!(Environment::from_json(&text).unwrap(), env.clone());
        prop_assert_eq!(parse_env_file(&text).unwrap().environment, env.clone());
        let redacted = env.to_json_redacted();
        for v in env.variables.iter().filter(|v| v.secret && v.value.len() >= 4) {
            let quoted = serde_json::to_string(&v.value).unwrap();
            prop_assert!(!redacted.contains(&quoted));
        }
    }

    #[test]
    fn env_parsers_never_panic(text in any_text()) {
        let _ = parse_env_file(&text);
        let _ = parse_export(&text);
        let _ = Environment::from_json(&text);
    }

    #[test]
    fn env_parsers_never_panic_on_near_misses(
        key in prop_oneof![Just("key"), Just("name"), Just("value"), Just("kee")],
        value in prop_oneof![
            Just("\"x\"".to_owned()),
            Just("1".to_owned()),
            Just("null".to_owned()),
            Just("[]".to_owned()),
            Just("{}".to_owned()),
            Just("\"{{\"".to_owned()),
            Just("\" a\"".to_owned()),
        ],
        index in 0usize..3,
        wsdeck in any::<bool>(),
    ) {
        let mut entries = vec![r#"{"key":"a","value":"1"}"#.to_owned(); 3];
        entries[index] = format!("{{\"{key}\":{value}}}");
        let text = if wsdeck {
            format!(
                r#"{{"wsdeck_environment":1,"name":"n","variables":[{}]}}"#,
                entries.join(",").replace("\"key\"", "\"name\"")
            )
        } else {
            format!(r#"{{"name":"n","values":[{}]}}"#, entries.join(","))
        };
        match parse_env_file(&text) {
            Ok(loaded) => prop_assert!(loaded.environment.variables.len() == 3),
            Err(e) => {
                let message = e.to_string();
                let prefix = if wsdeck { "variables[" } else { "values[" };
                prop_assert!(message.starts_with(prefix), "{}", message);
            }
        }
    }
}

#[test]
fn segments_are_exposed_for_editors() {
    let t = Template::parse("a{{b}}c").unwrap();
    assert!(matches!(&t.segments()[1], Segment::Variable(r) if r.name == "b" && r.span == (1..6)));
}

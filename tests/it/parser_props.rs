//! Property tests: the parser never panics, whatever it is given.

use cohortbot::commands::{CATALOG, parse};
use proptest::prelude::*;

fn catalog_words() -> Vec<String> {
    let mut words: Vec<String> = CATALOG
        .iter()
        .flat_map(|c| c.path.split(' ').map(str::to_owned))
        .collect();
    for command in CATALOG {
        for option in command.options {
            words.push(format!("{}:", option.name));
        }
    }
    words.extend([
        "\"".into(),
        "'".into(),
        ":".into(),
        "@".into(),
        "<@".into(),
        "/".into(),
        "\u{7}".into(),
        "é".into(),
    ]);
    words
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(line in "\\PC{0,300}") {
        let _ = parse(&line);
    }

    #[test]
    fn arbitrary_bytes_as_text_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn catalog_shaped_input_never_panics_and_errors_are_short(
        picks in proptest::collection::vec((0usize..64, "[a-zA-Z0-9/_:\"' -]{0,12}"), 0..8)
    ) {
        let words = catalog_words();
        let line: Vec<String> = picks
            .iter()
            .map(|(i, tail)| format!("{}{}", words[i % words.len()], tail))
            .collect();
        let line = format!("/{}", line.join(" "));
        if let Err(err) = parse(&line) {
            prop_assert!(!err.to_string().is_empty());
            prop_assert!(err.to_string().chars().count() < 600, "{}", err);
        }
    }
}

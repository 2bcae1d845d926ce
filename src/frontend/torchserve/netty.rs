//! Netty 4.1.53's header-value validation (`DefaultHttpHeaders.HeaderValueConverterAndValidator`),
//! which runs when TorchServe sets each CORS header on a response.
//!
//! It throws for NUL, VT and FF, for a CR not followed by LF, for an LF not followed by a
//! space or tab, and for a value ending in CR or LF; TorchServe then writes no response at
//! all (`../shared/facts/torchserve.md` s14). Other control characters and an obs-fold
//! (`\r\n ` / `\n\t`) pass and are sent as they are.

/// `Err` carries Netty's exception message.
pub fn validate_header_value(value: &str) -> Result<(), String> {
    // 0: previous char was neither CR nor LF; 1: previous was CR; 2: previous was LF.
    let mut state = 0;
    for c in value.chars() {
        match c {
            '\0' => return Err("a header value contains a prohibited character '\\0'".into()),
            '\u{b}' => return Err("a header value contains a prohibited character '\\v'".into()),
            '\u{c}' => return Err("a header value contains a prohibited character '\\f'".into()),
            _ => {}
        }
        state = match (state, c) {
            (0, '\r') => 1,
            (0, '\n') => 2,
            (0, _) => 0,
            (1, '\n') => 2,
            (1, _) => return Err("only '\\n' is allowed after '\\r'".into()),
            (_, '\t' | ' ') => 0,
            _ => return Err("only ' ' and '\\t' are allowed after '\\n'".into()),
        };
    }
    if state != 0 {
        return Err("a header value must not end with '\\r' or '\\n'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate_header_value as v;

    #[test]
    fn netty_rules() {
        assert!(v("https://a.example").is_ok());
        assert!(v("a\u{1}b").is_ok());
        assert!(v("a\r\n b").is_ok());
        assert_eq!(
            v("https://a.example\r\nX-Injected: 1").unwrap_err(),
            "only ' ' and '\\t' are allowed after '\\n'"
        );
        assert!(v("a\rb").is_err());
        assert!(v("a\0").is_err());
        assert!(v("a\n").is_err());
    }
}

//! Text width with a real font metric, so the SVG diagram can size and wrap
//! its labels without a font engine: the advance widths of DejaVu Sans
//! (Book and Bold), the font the diagram asks for first. It is wider than
//! the fallbacks (Verdana, Arial, Helvetica, Liberation Sans), so text sized
//! with it fits whichever of them a viewer has.
//!
//! The table was read from the fonts' `hmtx` and `cmap` tables (DejaVu Sans
//! 2.37, units per em 2048) for ASCII, Latin-1 and common punctuation;
//! any other character counts as a full em, which overestimates and so
//! never overflows.

/// Font units per em of the table.
const UNITS_PER_EM: f64 = 2048.0;

/// Advance width of a character not in the table, in font units.
const FALLBACK: u16 = 2048;

/// (code point, advance in DejaVu Sans, advance in DejaVu Sans Bold), sorted.
#[rustfmt::skip]
const ADVANCES: &[(u32, u16, u16)] = &[
    (0x0020, 651, 713),
    (0x0021, 821, 934),
    (0x0022, 942, 1067),
    (0x0023, 1716, 1716),
    (0x0024, 1303, 1425),
    (0x0025, 1946, 2052),
    (0x0026, 1597, 1786),
    (0x0027, 563, 627),
    (0x0028, 799, 936),
    (0x0029, 799, 936),
    (0x002A, 1024, 1071),
    (0x002B, 1716, 1716),
    (0x002C, 651, 778),
    (0x002D, 739, 850),
    (0x002E, 651, 778),
    (0x002F, 690, 748),
    (0x0030, 1303, 1425),
    (0x0031, 1303, 1425),
    (0x0032, 1303, 1425),
    (0x0033, 1303, 1425),
    (0x0034, 1303, 1425),
    (0x0035, 1303, 1425),
    (0x0036, 1303, 1425),
    (0x0037, 1303, 1425),
    (0x0038, 1303, 1425),
    (0x0039, 1303, 1425),
    (0x003A, 690, 819),
    (0x003B, 690, 819),
    (0x003C, 1716, 1716),
    (0x003D, 1716, 1716),
    (0x003E, 1716, 1716),
    (0x003F, 1087, 1188),
    (0x0040, 2048, 2048),
    (0x0041, 1401, 1585),
    (0x0042, 1405, 1561),
    (0x0043, 1430, 1503),
    (0x0044, 1577, 1700),
    (0x0045, 1294, 1399),
    (0x0046, 1178, 1399),
    (0x0047, 1587, 1681),
    (0x0048, 1540, 1714),
    (0x0049, 604, 762),
    (0x004A, 604, 762),
    (0x004B, 1343, 1587),
    (0x004C, 1141, 1305),
    (0x004D, 1767, 2038),
    (0x004E, 1532, 1714),
    (0x004F, 1612, 1741),
    (0x0050, 1235, 1501),
    (0x0051, 1612, 1741),
    (0x0052, 1423, 1577),
    (0x0053, 1300, 1475),
    (0x0054, 1251, 1397),
    (0x0055, 1499, 1663),
    (0x0056, 1401, 1585),
    (0x0057, 2025, 2259),
    (0x0058, 1403, 1579),
    (0x0059, 1251, 1483),
    (0x005A, 1403, 1485),
    (0x005B, 799, 936),
    (0x005C, 690, 748),
    (0x005D, 799, 936),
    (0x005E, 1716, 1716),
    (0x005F, 1024, 1024),
    (0x0060, 1024, 1024),
    (0x0061, 1255, 1382),
    (0x0062, 1300, 1466),
    (0x0063, 1126, 1214),
    (0x0064, 1300, 1466),
    (0x0065, 1260, 1389),
    (0x0066, 721, 891),
    (0x0067, 1300, 1466),
    (0x0068, 1298, 1458),
    (0x0069, 569, 702),
    (0x006A, 569, 702),
    (0x006B, 1186, 1362),
    (0x006C, 569, 702),
    (0x006D, 1995, 2134),
    (0x006E, 1298, 1458),
    (0x006F, 1253, 1407),
    (0x0070, 1300, 1466),
    (0x0071, 1300, 1466),
    (0x0072, 842, 1010),
    (0x0073, 1067, 1219),
    (0x0074, 803, 979),
    (0x0075, 1298, 1458),
    (0x0076, 1212, 1335),
    (0x0077, 1675, 1892),
    (0x0078, 1212, 1321),
    (0x0079, 1212, 1335),
    (0x007A, 1075, 1192),
    (0x007B, 1303, 1458),
    (0x007C, 690, 748),
    (0x007D, 1303, 1458),
    (0x007E, 1716, 1716),
    (0x00A0, 651, 713),
    (0x00A1, 821, 934),
    (0x00A2, 1303, 1425),
    (0x00A3, 1303, 1425),
    (0x00A4, 1303, 1303),
    (0x00A5, 1303, 1425),
    (0x00A6, 690, 748),
    (0x00A7, 1024, 1024),
    (0x00A8, 1024, 1024),
    (0x00A9, 2048, 2048),
    (0x00AA, 965, 1155),
    (0x00AB, 1253, 1323),
    (0x00AC, 1716, 1716),
    (0x00AD, 739, 850),
    (0x00AE, 2048, 2048),
    (0x00AF, 1024, 1024),
    (0x00B0, 1024, 1024),
    (0x00B1, 1716, 1716),
    (0x00B2, 821, 897),
    (0x00B3, 821, 897),
    (0x00B4, 1024, 1024),
    (0x00B5, 1303, 1507),
    (0x00B6, 1303, 1303),
    (0x00B7, 651, 778),
    (0x00B8, 1024, 1024),
    (0x00B9, 821, 897),
    (0x00BA, 965, 1155),
    (0x00BB, 1253, 1323),
    (0x00BC, 1985, 2120),
    (0x00BD, 1985, 2120),
    (0x00BE, 1985, 2120),
    (0x00BF, 1087, 1188),
    (0x00C0, 1401, 1585),
    (0x00C1, 1401, 1585),
    (0x00C2, 1401, 1585),
    (0x00C3, 1401, 1585),
    (0x00C4, 1401, 1585),
    (0x00C5, 1401, 1585),
    (0x00C6, 1995, 2222),
    (0x00C7, 1430, 1503),
    (0x00C8, 1294, 1399),
    (0x00C9, 1294, 1399),
    (0x00CA, 1294, 1399),
    (0x00CB, 1294, 1399),
    (0x00CC, 604, 762),
    (0x00CD, 604, 762),
    (0x00CE, 604, 762),
    (0x00CF, 604, 762),
    (0x00D0, 1587, 1716),
    (0x00D1, 1532, 1714),
    (0x00D2, 1612, 1741),
    (0x00D3, 1612, 1741),
    (0x00D4, 1612, 1741),
    (0x00D5, 1612, 1741),
    (0x00D6, 1612, 1741),
    (0x00D7, 1716, 1716),
    (0x00D8, 1612, 1741),
    (0x00D9, 1499, 1663),
    (0x00DA, 1499, 1663),
    (0x00DB, 1499, 1663),
    (0x00DC, 1499, 1663),
    (0x00DD, 1251, 1483),
    (0x00DE, 1239, 1511),
    (0x00DF, 1290, 1473),
    (0x00E0, 1255, 1382),
    (0x00E1, 1255, 1382),
    (0x00E2, 1255, 1382),
    (0x00E3, 1255, 1382),
    (0x00E4, 1255, 1382),
    (0x00E5, 1255, 1382),
    (0x00E6, 2011, 2146),
    (0x00E7, 1126, 1214),
    (0x00E8, 1260, 1389),
    (0x00E9, 1260, 1389),
    (0x00EA, 1260, 1389),
    (0x00EB, 1260, 1389),
    (0x00EC, 569, 702),
    (0x00ED, 569, 702),
    (0x00EE, 569, 702),
    (0x00EF, 569, 702),
    (0x00F0, 1253, 1407),
    (0x00F1, 1298, 1458),
    (0x00F2, 1253, 1407),
    (0x00F3, 1253, 1407),
    (0x00F4, 1253, 1407),
    (0x00F5, 1253, 1407),
    (0x00F6, 1253, 1407),
    (0x00F7, 1716, 1716),
    (0x00F8, 1253, 1407),
    (0x00F9, 1298, 1458),
    (0x00FA, 1298, 1458),
    (0x00FB, 1298, 1458),
    (0x00FC, 1298, 1458),
    (0x00FD, 1212, 1335),
    (0x00FE, 1300, 1466),
    (0x00FF, 1212, 1335),
    (0x2013, 1024, 1024),
    (0x2014, 2048, 2048),
    (0x2018, 651, 778),
    (0x2019, 651, 778),
    (0x201C, 1061, 1346),
    (0x201D, 1061, 1346),
    (0x2022, 1208, 1309),
    (0x2026, 2048, 2048),
    (0x20AC, 1303, 1425),
    (0x2122, 2048, 2048),
    (0x2192, 1716, 1716),
    (0x2713, 1716, 1716),
    (0x2714, 1716, 1716),
    (0x2715, 1716, 1716),
    (0x2717, 1716, 1716),
];

/// The advance of one character, in font units.
fn advance(c: char, bold: bool) -> u16 {
    match ADVANCES.binary_search_by_key(&(c as u32), |&(cp, _, _)| cp) {
        Ok(i) if bold => ADVANCES[i].2,
        Ok(i) => ADVANCES[i].1,
        Err(_) => FALLBACK,
    }
}

/// The width of `text` set in `size` px DejaVu Sans (Bold when `bold`), in px.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let units: u32 = text.chars().map(|c| u32::from(advance(c, bold))).sum();
    f64::from(units) * size / UNITS_PER_EM
}

/// Breaks `text` into lines no wider than `max` px, at spaces or after a
/// `/` or `-`; a word wider than a line on its own is split between
/// characters. Never returns an empty list.
pub fn wrap(text: &str, max: f64, size: f64, bold: bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // A parenthesis too wide for a line is broken at its spaces after all.
    let pieces = tokens(text).into_iter().flat_map(|(token, spaced)| {
        if token.contains(' ') && width(&token, size, bold) > max {
            let words: Vec<(String, bool)> = token
                .split(' ')
                .enumerate()
                .map(|(i, w)| (w.to_string(), spaced || i > 0))
                .collect();
            words
        } else {
            vec![(token, spaced)]
        }
    });
    for (token, spaced) in pieces {
        let token = token.as_str();
        let candidate = match (line.is_empty(), spaced) {
            (true, _) => token.to_string(),
            (false, true) => format!("{line} {token}"),
            (false, false) => format!("{line}{token}"),
        };
        if width(&candidate, size, bold) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if width(token, size, bold) <= max {
            line = token.to_string();
            continue;
        }
        for c in token.chars() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && width(&next, size, bold) > max {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The pieces a line may break between, each with whether a space comes
/// before it: words, cut after each `/` and `-` inside them. A short
/// parenthesis ("(via aws)") stays in one piece.
fn tokens(text: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut open = 0;
    for word in text.split_whitespace() {
        if open > 0 && open < 3 {
            if let Some(last) = out.last_mut() {
                last.0.push(' ');
                last.0.push_str(word);
                open = if word.contains(')') { 0 } else { open + 1 };
                continue;
            }
        }
        open = usize::from(word.starts_with('(') && !word.contains(')'));
        let mut start = 0;
        for (i, c) in word.char_indices() {
            if (c == '/' || c == '-') && i + 1 < word.len() {
                out.push((word[start..=i].to_string(), start == 0));
                start = i + 1;
            }
        }
        out.push((word[start..].to_string(), start == 0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(ADVANCES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn measures_with_the_font_metric() {
        // "M" is 1767 units wide in DejaVu Sans, "i" 569: a proportional font.
        assert!((width("M", 2048.0, false) - 1767.0).abs() < 1e-9);
        assert!(width("iiii", 12.0, false) < width("MMMM", 12.0, false));
        assert!(width("Codat", 12.0, true) > width("Codat", 12.0, false));
        // Unknown characters count as a full em.
        assert!((width("\u{4e2d}", 10.0, false) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        let lines = wrap("Identity and directory infrastructure", 120.0, 12.0, false);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 12.0, false) <= 120.0));
        assert_eq!(lines.join(" "), "Identity and directory infrastructure");
        let long = wrap("Supercalifragilisticexpialidocious", 50.0, 12.0, false);
        assert!(long.len() > 1 && long.iter().all(|l| width(l, 12.0, false) <= 50.0));
        assert_eq!(wrap("", 50.0, 12.0, false), vec![String::new()]);
        let slashed = wrap("Compute/Storage/Database/Networking", 160.0, 13.0, false);
        assert_eq!(slashed, vec!["Compute/Storage/", "Database/Networking"]);
        let via = wrap("Amazon Web Services (via aws)", 150.0, 12.0, false);
        assert_eq!(via, vec!["Amazon Web Services", "(via aws)"]);
        let narrow = wrap("A (via aws)", 40.0, 12.0, false);
        assert!(
            narrow.iter().all(|l| width(l, 12.0, false) <= 40.0),
            "{narrow:?}"
        );
    }
}

//! Streaming profiler: reads each sample up to the byte cap (decompressing gzip on the fly),
//! recognises its format (CSV/TSV, JSON or JSON Lines, configs and plain text), splits it
//! into fields — a cell with its column name, a JSON value with its key, an assignment with
//! its name, a line of text — and runs every detector on each field. What it keeps is counts
//! and shapes, never values: per-detector hits, hits per column, column names, value shape
//! statistics, and the tokens of object keys and names.

use crate::classify::detectors::{self, Field, FieldFacts};
use crate::classify::{ClassifyOptions, Sample};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};

/// Column names kept per dataset (for features and evidence).
const MAX_COLUMNS: usize = 512;
/// Distinct values remembered (as hashes) for the distinctness statistic.
const MAX_DISTINCT: usize = 8192;

/// Everything the model and the evidence need to know about one dataset.
#[derive(Debug, Clone, Default)]
pub struct DatasetProfile {
    /// Hits per detector, in [`detectors::all`] order.
    pub hits: Vec<u64>,
    /// Hits per column (or key) name per detector; only names that are safe to show.
    pub column_hits: BTreeMap<String, Vec<u64>>,
    /// Column, JSON key and config key names seen (safe to show).
    pub columns: BTreeSet<String>,
    /// Tokens from object keys, the dataset name and sample file names.
    pub name_tokens: BTreeSet<String>,
    pub records: u64,
    pub fields: u64,
    pub numeric_fields: u64,
    pub value_chars: u64,
    pub digit_chars: u64,
    pub alpha_chars: u64,
    pub distinct_values: u64,
    pub bytes_read: u64,
    pub samples_read: u32,
    pub samples_truncated: u32,
    pub samples_binary: u32,
    pub samples_skipped: u32,
    /// Samples that failed to read: "name: error kind" (io error kinds carry no data).
    pub unreadable: Vec<String>,
    pub sample_names: Vec<String>,
    pub keys_given: usize,
    pub name_given: bool,
    distinct: HashSet<u64, std::hash::BuildHasherDefault<crate::classify::lexicon::Fnv>>,
}

impl DatasetProfile {
    fn new() -> Self {
        DatasetProfile {
            hits: vec![0; detectors::all().len()],
            ..Default::default()
        }
    }

    /// True when some sample content was read.
    pub fn has_content(&self) -> bool {
        self.fields > 0
    }
}

/// Profiles a dataset: samples (each read up to the cap), object keys and the dataset name.
pub fn profile_dataset(
    samples: impl Iterator<Item = Sample>,
    keys: &[String],
    name: &str,
    options: &ClassifyOptions,
) -> DatasetProfile {
    let mut profile = DatasetProfile::new();
    for (i, sample) in samples.enumerate() {
        if i >= options.max_samples {
            profile.samples_skipped += 1;
            continue;
        }
        profile.sample_names.push(sample.name.clone());
        name_tokens(&sample.name, &mut profile.name_tokens);
        if let Err(kind) = scan_sample(
            sample.reader,
            &sample.name,
            options.sample_byte_cap,
            &mut profile,
        ) {
            profile.unreadable.push(format!("{}: {kind}", sample.name));
        }
    }
    profile.keys_given = keys.len();
    for key in keys.iter().take(10_000) {
        name_tokens(key, &mut profile.name_tokens);
    }
    profile.name_given = !name.trim().is_empty();
    name_tokens(name, &mut profile.name_tokens);
    profile.distinct_values = profile.distinct.len() as u64;
    profile
}

/// Lower-case word tokens of a key or name (`payroll/2024/Employees_Q1.csv.gz` → payroll,
/// employees, q, csv, gz), digits dropped.
pub fn name_tokens(name: &str, out: &mut BTreeSet<String>) {
    if out.len() > 4096 {
        return;
    }
    detectors::key_words(name, |w| {
        if w.len() >= 2 && w.len() <= 24 {
            out.insert(w.to_string());
        }
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv(u8),
    Json,
    Text,
}

fn is_gzip(buf: &[u8]) -> bool {
    buf.len() >= 2 && buf[0] == 0x1f && buf[1] == 0x8b
}

fn scan_sample(
    reader: Box<dyn Read>,
    name: &str,
    cap: u64,
    profile: &mut DatasetProfile,
) -> Result<(), std::io::ErrorKind> {
    let mut raw = BufReader::with_capacity(64 * 1024, reader);
    let head = raw.fill_buf().map_err(|e| e.kind())?;
    let gz = is_gzip(head);
    let inner: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    // One byte more than the cap tells whether the sample was truncated.
    let mut capped = BufReader::with_capacity(64 * 1024, inner.take(cap.saturating_add(1)));
    let head = capped.fill_buf().map_err(|e| e.kind())?;
    profile.samples_read += 1;
    let probe = &head[..head.len().min(4096)];
    if looks_binary(probe) {
        profile.samples_binary += 1;
        return Ok(());
    }
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    let format = detect_format(base, head);
    let mut budget = Budget { left: cap };
    match format {
        Format::Csv(delim) => scan_csv(&mut capped, delim, &mut budget, profile),
        Format::Json | Format::Text => {
            scan_lines(&mut capped, format == Format::Json, &mut budget, profile)
        }
    }
    .map_err(|e| e.kind())?;
    if budget.left == 0 {
        profile.samples_truncated += 1;
    }
    Ok(())
}

/// Bytes still allowed from the current sample.
struct Budget {
    left: u64,
}

fn looks_binary(probe: &[u8]) -> bool {
    if probe.is_empty() {
        return false;
    }
    let nul = probe.iter().filter(|&&b| b == 0).count();
    let control = probe
        .iter()
        .filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b))
        .count();
    nul > 0 || control * 10 > probe.len()
}

fn detect_format(name: &str, head: &[u8]) -> Format {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "csv" => return Format::Csv(sniff_delimiter(head).unwrap_or(b',')),
        "tsv" | "tab" => return Format::Csv(b'\t'),
        "json" | "jsonl" | "ndjson" | "geojson" => return Format::Json,
        "env" | "ini" | "cfg" | "conf" | "yaml" | "yml" | "toml" | "properties" | "txt" | "log"
        | "md" | "py" | "js" | "go" | "java" | "sh" | "xml" | "html" => return Format::Text,
        _ => {}
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => Format::Json,
        _ => sniff_delimiter(head)
            .map(Format::Csv)
            .unwrap_or(Format::Text),
    }
}

/// A delimiter that splits the first few lines into the same number (≥ 2) of fields.
fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let lines: Vec<&[u8]> = head
        .split(|&b| b == b'\n')
        .take(6)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() < 2 {
        return None;
    }
    let complete = if head.ends_with(b"\n") {
        lines.len()
    } else {
        lines.len() - 1
    };
    let lines = &lines[..complete.max(1)];
    [b',', b'\t', b';', b'|'].into_iter().find(|&d| {
        let count = |l: &[u8]| l.iter().filter(|&&b| b == d).count();
        let first = count(lines[0]);
        first >= 1 && lines.len() >= 2 && lines.iter().all(|l| count(l) == first)
    })
}

fn scan_csv(
    reader: &mut impl BufRead,
    delim: u8,
    budget: &mut Budget,
    profile: &mut DatasetProfile,
) -> std::io::Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(CountingReader {
            inner: reader,
            budget,
        });
    let mut record = csv::ByteRecord::new();
    let mut cell_hits = vec![0u64; detectors::all().len()];
    let mut header: Option<Vec<String>> = None;
    let mut first = true;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(io) => return Err(io),
                // A malformed row (e.g. cut by the byte cap) ends the sample.
                _ => break,
            },
        }
        if first {
            first = false;
            let cells: Vec<String> = record
                .iter()
                .map(|c| {
                    String::from_utf8_lossy(c)
                        .trim()
                        .trim_start_matches('\u{feff}')
                        .to_string()
                })
                .collect();
            if looks_like_header(&cells) {
                for c in &cells {
                    if safe_name(c) && profile.columns.len() < MAX_COLUMNS {
                        profile.columns.insert(c.clone());
                    }
                }
                header = Some(cells);
                continue;
            }
        }
        profile.records += 1;
        for (i, cell) in record.iter().enumerate() {
            let value = String::from_utf8_lossy(cell);
            let key = header.as_ref().and_then(|h| h.get(i)).map(String::as_str);
            if !scan_field(Field { key, value: &value }, profile, &mut cell_hits) {
                continue;
            }
            attribute(key, &cell_hits, profile);
            add_hits(&cell_hits, profile);
        }
    }
    Ok(())
}

/// A reader that stops at the budget and counts what passed.
struct CountingReader<'a, R> {
    inner: R,
    budget: &'a mut Budget,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let allowed = usize::try_from(self.budget.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        if allowed == 0 {
            return Ok(0);
        }
        let n = self.inner.read(&mut buf[..allowed])?;
        self.budget.left -= n as u64;
        Ok(n)
    }
}

fn looks_like_header(cells: &[String]) -> bool {
    let nonempty = cells.iter().filter(|c| !c.is_empty()).count();
    nonempty >= 1
        && cells.len() >= 2
        && cells.iter().filter(|c| !c.is_empty()).all(|c| {
            c.len() <= 64
                && c.chars().filter(char::is_ascii_digit).count() <= 2
                && c.chars().any(char::is_alphabetic)
                && !c.contains('@')
        })
}

/// Names that may appear in evidence: identifier-like, short, and not themselves a match
/// for any value detector (a headerless CSV's first row is data, not names).
pub fn safe_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 48 {
        return false;
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '/'))
    {
        return false;
    }
    if name.chars().filter(char::is_ascii_digit).count() > 3 {
        return false;
    }
    let facts = FieldFacts::of(name);
    let field = Field {
        key: None,
        value: name,
    };
    detectors::all().iter().all(|d| {
        matches!(
            d.name(),
            "person_name"
                | "personal_terms"
                | "credential_terms"
                | "financial_terms"
                | "medical_terms"
                | "internal_terms"
        ) || d.scan(&field, &facts) == 0
    }) && facts
        .words
        .get(crate::classify::lexicon::WordClass::FirstName)
        == 0
        && facts
            .words
            .get(crate::classify::lexicon::WordClass::Surname)
            == 0
}

fn scan_lines(
    reader: &mut impl BufRead,
    json: bool,
    budget: &mut Budget,
    profile: &mut DatasetProfile,
) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(4096);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let n = detectors::all().len();
    let mut pair_hits = vec![0u64; n];
    let mut yaml_parents: Vec<(usize, String)> = Vec::new();
    let mut line_hits = vec![0u64; n];
    let mut hits = vec![0u64; n];
    // Keys already found unsafe to show, so `safe_name` runs once per key, not per line.
    let mut rejected: HashSet<String> = HashSet::new();
    let mut reader = CountingReader {
        inner: reader,
        budget,
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, &mut reader);
    loop {
        line.clear();
        let read = buffered.read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        profile.records += 1;
        scan_field(
            Field {
                key: None,
                value: text,
            },
            profile,
            &mut line_hits,
        );
        pairs.clear();
        if json || text.contains("\":") || text.contains("\" :") {
            json_pairs(text, &mut pairs);
        }
        if pairs.is_empty() {
            if let Some((key, value)) = assignment(text) {
                // YAML nesting: `password:` then `  secure: x` is the password's value.
                let indent = text.len() - text.trim_start().len();
                yaml_parents.retain(|(i, _)| *i < indent);
                let key = match yaml_parents.last() {
                    Some((_, parent)) if !json => format!("{parent}_{key}"),
                    _ => key,
                };
                pairs.push((key, value));
            } else if let Some(parent) = yaml_parent(text) {
                let indent = text.len() - text.trim_start().len();
                yaml_parents.retain(|(i, _)| *i < indent);
                if yaml_parents.len() < 8 {
                    yaml_parents.push((indent, parent));
                }
            }
        }
        pair_hits.iter_mut().for_each(|h| *h = 0);
        for (key, value) in &pairs {
            if profile.columns.len() < MAX_COLUMNS
                && !profile.columns.contains(key)
                && !rejected.contains(key)
            {
                if safe_name(key) {
                    profile.columns.insert(key.clone());
                } else if rejected.len() < 4096 {
                    rejected.insert(key.clone());
                }
            }
            let facts = FieldFacts::of(value);
            let field = Field {
                key: Some(key),
                value,
            };
            for (d, det) in detectors::all().iter().enumerate() {
                hits[d] = u64::from(det.scan(&field, &facts));
                pair_hits[d] += hits[d];
            }
            attribute(Some(key), &hits, profile);
        }
        // A line and its key/value pairs describe the same bytes: count the larger.
        let merged: Vec<u64> = line_hits
            .iter()
            .zip(&pair_hits)
            .map(|(a, b)| (*a).max(*b))
            .collect();
        add_hits(&merged, profile);
    }
    Ok(())
}

/// Runs every detector on one field, writing hits into `hits`; false when the field is empty
/// (then `hits` is all zero and there is nothing to add).
fn scan_field(field: Field<'_>, profile: &mut DatasetProfile, hits: &mut [u64]) -> bool {
    let v = field.value.trim();
    profile.fields += 1;
    if v.is_empty() {
        hits.iter_mut().for_each(|h| *h = 0);
        return false;
    }
    let facts = FieldFacts::of(field.value);
    profile.value_chars += v.len() as u64;
    profile.digit_chars += u64::from(facts.digits);
    profile.alpha_chars += u64::from(facts.upper + facts.lower);
    let numeric_shape = facts.upper + facts.lower <= 1 && v.len() <= 32;
    if numeric_shape && v.parse::<f64>().is_ok() {
        profile.numeric_fields += 1;
    }
    if profile.distinct.len() < MAX_DISTINCT {
        let mut h = crate::classify::lexicon::Fnv::default();
        v.hash(&mut h);
        profile.distinct.insert(h.finish());
    }
    for (h, d) in hits.iter_mut().zip(detectors::all()) {
        *h = u64::from(d.scan(&field, &facts));
    }
    true
}

fn add_hits(hits: &[u64], profile: &mut DatasetProfile) {
    for (total, h) in profile.hits.iter_mut().zip(hits) {
        *total += h;
    }
}

fn attribute(key: Option<&str>, hits: &[u64], profile: &mut DatasetProfile) {
    let Some(key) = key else { return };
    if hits.iter().all(|&h| h == 0) || !profile.columns.contains(key) {
        return;
    }
    // Look up before inserting: the key is allocated once per column, not once per cell.
    if !profile.column_hits.contains_key(key) {
        profile
            .column_hits
            .insert(key.to_string(), vec![0; hits.len()]);
    }
    if let Some(entry) = profile.column_hits.get_mut(key) {
        for (e, h) in entry.iter_mut().zip(hits) {
            *e += h;
        }
    }
}

/// `"key": value` pairs of a JSON line (also pretty-printed JSON, one pair per line).
fn json_pairs(line: &str, out: &mut Vec<(String, String)>) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < 256 {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let Some((key, after)) = json_string(line, i) else {
            break;
        };
        let mut j = after;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j >= b.len() || b[j] != b':' {
            i = after;
            continue;
        }
        j += 1;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j < b.len() && b[j] == b'"' {
            let Some((value, end)) = json_string(line, j) else {
                break;
            };
            out.push((key, value));
            i = end;
        } else {
            let start = j;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b'{' | b'[') {
                j += 1;
            }
            let scalar = line.get(start..j).unwrap_or("").trim();
            if !scalar.is_empty() {
                out.push((key, scalar.to_string()));
            }
            i = j.max(start + 1);
        }
    }
}

/// The JSON string starting at the quote at `start`, unescaped lightly, and the index after
/// its closing quote.
fn json_string(s: &str, start: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut j = start + 1;
    let mut out = String::new();
    let mut seg = j;
    while j < b.len() {
        match b[j] {
            b'\\' => {
                out.push_str(s.get(seg..j)?);
                match b.get(j + 1) {
                    Some(b'n') => out.push('\n'),
                    Some(b't') => out.push('\t'),
                    Some(&c) if c.is_ascii() => out.push(char::from(c)),
                    _ => {}
                }
                j += 2;
                seg = j;
            }
            b'"' => {
                out.push_str(s.get(seg..j)?);
                return Some((out, j + 1));
            }
            _ => j += 1,
        }
    }
    None
}

/// `key = value`, `key: value`, `export KEY=value`, `String password = "x";` — the last word
/// before the first `=` or `:` is the key.
fn assignment(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim_start();
    if let Some(pair) = xml_element(trimmed) {
        return Some(pair);
    }
    if trimmed.starts_with('#')
        || trimmed.starts_with("//")
        || trimmed.starts_with(';')
        || trimmed.starts_with('[')
    {
        return None;
    }
    let pos = trimmed.find(['=', ':'])?;
    let (left, right) = trimmed.split_at(pos);
    let sep = right.as_bytes().first().copied()?;
    let mut right = &right[1..];
    if sep == b'=' && right.starts_with('=') {
        return None; // comparison, not assignment
    }
    if sep == b':' && right.starts_with("//") {
        return None; // a URL
    }
    if sep == b':' && right.starts_with('=') {
        right = &right[1..];
    }
    let left = left.trim().trim_end_matches(['+', '-', '?', '!']);
    let words: Vec<&str> = left.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 {
        return None;
    }
    let key = words
        .last()?
        .trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'));
    let key = key.trim_start_matches('-');
    if key.is_empty() || key.len() > 64 || !key.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut value = right.trim();
    if let Some(idx) = value.find(" #") {
        value = &value[..idx];
    }
    let value = value
        .trim()
        .trim_end_matches([';', ','])
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`');
    if value.is_empty() {
        return None;
    }
    Some((key.to_string(), value.to_string()))
}

/// A YAML mapping key with nothing after the colon (`database:`), whose children follow.
fn yaml_parent(line: &str) -> Option<String> {
    let t = line.trim();
    let key = t.strip_suffix(':')?.trim_start_matches("- ");
    (!key.is_empty()
        && key.len() <= 48
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    .then(|| key.to_string())
}

/// `<password name="x">value</password>` → (`password`, `value`).
fn xml_element(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('<')?;
    let name_end =
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':'))?;
    let name = &rest[..name_end];
    let open_end = rest.find('>')?;
    let close = format!("</{name}>");
    let body_end = rest.find(&close)?;
    if name.is_empty() || body_end < open_end {
        return None;
    }
    let value = rest.get(open_end + 1..body_end)?.trim();
    (!value.is_empty() && !value.contains('<')).then(|| (name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Sample;

    fn profile_of(name: &str, body: &str) -> DatasetProfile {
        let sample = Sample::new(name, std::io::Cursor::new(body.as_bytes().to_vec()));
        profile_dataset(
            std::iter::once(sample),
            &[],
            "",
            &ClassifyOptions::default(),
        )
    }

    fn hits(p: &DatasetProfile, detector: &str) -> u64 {
        let i = detectors::all()
            .iter()
            .position(|d| d.name() == detector)
            .unwrap_or(usize::MAX);
        p.hits.get(i).copied().unwrap_or(0)
    }

    fn check(name: &str, body: &str, detector: &str, expect: u64) {
        let p = profile_of(name, body);
        assert_eq!(hits(&p, detector), expect, "{name}: {detector}");
    }

    #[test]
    fn formats() {
        check(
            "a.csv",
            "name,card\nAnn,4111 1111 1111 1111\nBob,5500000000000004\n",
            "card_number",
            2,
        );
        check(
            "a.jsonl",
            "{\"password\": \"hunter2x\", \"user\": \"x\"}\n",
            "password_assignment",
            1,
        );
        check(
            ".env",
            "DB_PASSWORD=hunter2x\nPORT=8080\n",
            "password_assignment",
            1,
        );
        check(
            "notes.txt",
            "email me at a@b.io or c@d.org\n",
            "email_address",
            2,
        );
        check(
            "cfg.yaml",
            "db:\n  password: s3cr3tpw\n",
            "password_assignment",
            1,
        );
        check(
            "d.yml",
            "deploy:\n    user: aaronloo\n    password:\n        secure: thequickbrownfoxjumps\n",
            "password_assignment",
            1,
        );
        check(
            "c.xml",
            "<root>\n  <password name=\"password\">cackle!</password>\n</root>\n",
            "password_assignment",
            1,
        );
        let p = profile_of("a.csv", "CCNumber,CVV2\n4111111111111111,123\n");
        assert!(p.columns.contains("CCNumber"));
        assert_eq!(
            p.column_hits.get("CVV2").map(|h| h.iter().sum::<u64>()),
            Some(1)
        );
    }

    #[test]
    fn gzip_and_cap() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = enc.write_all(b"key: AKIAIOSFODNN7EXAMPLE\n");
        let gz = enc.finish().unwrap_or_default();
        let sample = Sample::new("k.txt.gz", std::io::Cursor::new(gz));
        let p = profile_dataset(
            std::iter::once(sample),
            &[],
            "",
            &ClassifyOptions::default(),
        );
        assert_eq!(hits(&p, "aws_access_key"), 1);

        let body = "a@b.io\n".repeat(1000);
        let sample = Sample::new("m.txt", std::io::Cursor::new(body.into_bytes()));
        let opts = ClassifyOptions {
            sample_byte_cap: 70,
            ..Default::default()
        };
        let p = profile_dataset(std::iter::once(sample), &[], "", &opts);
        assert_eq!(p.samples_truncated, 1);
        assert_eq!(hits(&p, "email_address"), 10);
    }

    #[test]
    fn headerless_first_row_is_data() {
        let p = profile_of("x.csv", "Ann Smith,ann@x.io\nBob Jones,bob@x.io\n");
        assert!(p.columns.is_empty());
        assert_eq!(hits(&p, "email_address"), 2);
    }
}

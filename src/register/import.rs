//! Reading one CSV export, a row at a time, into [`Entry`] values.
//!
//! A row that cannot be used (an e-mail that is not one, bytes that are not the declared
//! encoding, the wrong number of fields) is rejected with its line number and the reason,
//! and reading goes on: staff fix the export, not the bot. What makes the whole file
//! unusable (it cannot be read, a configured column is missing from the header) is an
//! [`ImportError`], and the source's previous snapshot stays as it was.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, ReaderBuilder};

use super::Entry;
use super::normalize::{self, EmailRules};
use crate::config::SourceConfig;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: line {line}: {source}", path.display())]
    Csv {
        path: PathBuf,
        line: u64,
        #[source]
        source: csv::Error,
    },
    #[error("{} is empty: no header line", path.display())]
    Empty { path: PathBuf },
    #[error(
        "{}: column {column:?} (columns.{key} of source \"{source_name}\") is not in the header; the header has: {header}",
        path.display()
    )]
    MissingColumn {
        path: PathBuf,
        source_name: String,
        key: &'static str,
        column: String,
        header: String,
    },
}

/// Why one row was left out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    pub line: u64,
    pub reason: String,
}

/// One data row: kept, or rejected with a reason.
#[expect(
    clippy::large_enum_variant,
    reason = "rows are handed on one at a time and never collected; boxing would cost an allocation per row"
)]
pub enum Row {
    Kept(Entry),
    Rejected(Rejection),
}

/// How identifiers are normalised for every source.
#[derive(Clone, Debug)]
pub struct Normalizer {
    pub email: EmailRules,
    pub phone_region: phonenumber::country::Id,
}

/// Where each field's columns sit in a row.
struct Layout {
    email: Vec<usize>,
    phone: Vec<usize>,
    name: Vec<usize>,
    address: Vec<usize>,
    customer_id: Vec<usize>,
    order: Vec<usize>,
    created: Vec<usize>,
    /// Unmapped columns, with their header names.
    other: Vec<(usize, String)>,
    width: usize,
}

/// A reader of one source's export.
pub struct SourceReader<R: Read> {
    csv: csv::Reader<CountingReader<R>>,
    record: ByteRecord,
    layout: Layout,
    encoding: &'static encoding_rs::Encoding,
    normalizer: Normalizer,
    source: String,
    path: PathBuf,
}

/// Counts the bytes read (for a progress bar) and where the line breaks are (for line
/// numbers: the csv crate's own count is off after CRLF and blank lines).
struct CountingReader<R> {
    inner: R,
    count: u64,
    /// Offsets of the line breaks read but not yet passed by a record.
    breaks: std::collections::VecDeque<u64>,
    /// Line breaks already passed.
    passed: u64,
}

impl<R> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader {
            inner,
            count: 0,
            breaks: std::collections::VecDeque::new(),
            passed: 0,
        }
    }

    /// The line (1-based) a record starts on, given the reader's offset just after it and
    /// the line breaks inside its quoted fields. Records must be asked for in order.
    fn record_line(&mut self, end: u64, breaks_inside: u64) -> u64 {
        let mut last = None;
        while self.breaks.front().is_some_and(|&b| b < end) {
            last = self.breaks.pop_front();
            self.passed += 1;
        }
        // A break just before the end is the record's own terminator, not a line of it.
        let terminator = u64::from(last.is_some_and(|b| b + 1 == end));
        (self.passed + 1 - terminator).saturating_sub(breaks_inside)
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, byte) in buf[..n].iter().enumerate() {
            if *byte == b'\n' {
                self.breaks.push_back(self.count + i as u64);
            }
        }
        self.count += n as u64;
        Ok(n)
    }
}

impl SourceReader<BufReader<std::fs::File>> {
    /// Opens the source's file and reads its header.
    pub fn open_file(config: &SourceConfig, normalizer: &Normalizer) -> Result<Self, ImportError> {
        let io = |source| ImportError::Io {
            path: config.file.clone(),
            source,
        };
        let file = std::fs::File::open(&config.file).map_err(io)?;
        SourceReader::new(
            config,
            BufReader::with_capacity(64 * 1024, file),
            &config.file,
            normalizer,
        )
    }
}

impl<R: BufRead> SourceReader<R> {
    /// Reads the header from `input` and checks every configured column is in it.
    pub fn new(
        config: &SourceConfig,
        mut input: R,
        path: &Path,
        normalizer: &Normalizer,
    ) -> Result<Self, ImportError> {
        let delimiter = match config.delimiter {
            Some(delimiter) => delimiter.0,
            None => {
                let peek = input.fill_buf().map_err(|source| ImportError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                guess_delimiter(peek)
            }
        };
        let mut csv = ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(CountingReader::new(input));
        let mut header = ByteRecord::new();
        let read = csv
            .read_byte_record(&mut header)
            .map_err(|source| ImportError::Csv {
                path: path.to_path_buf(),
                line: 1,
                source,
            })?;
        if !read {
            return Err(ImportError::Empty {
                path: path.to_path_buf(),
            });
        }
        let encoding = config.encoding.0;
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let text = decode(encoding, field)
                    .unwrap_or_else(|| String::from_utf8_lossy(field).into_owned());
                let text = if i == 0 {
                    text.trim_start_matches('\u{feff}').to_string()
                } else {
                    text
                };
                text.trim().to_string()
            })
            .collect();
        let position = |key: &'static str, column: &str| {
            names
                .iter()
                .position(|name| name == column)
                .or_else(|| {
                    names
                        .iter()
                        .position(|name| name.eq_ignore_ascii_case(column))
                })
                .ok_or_else(|| ImportError::MissingColumn {
                    path: path.to_path_buf(),
                    source_name: config.name().to_string(),
                    key,
                    column: column.to_string(),
                    header: names
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        };
        let mut layout = Layout {
            email: Vec::new(),
            phone: Vec::new(),
            name: Vec::new(),
            address: Vec::new(),
            customer_id: Vec::new(),
            order: Vec::new(),
            created: Vec::new(),
            other: Vec::new(),
            width: names.len(),
        };
        for (key, columns) in config.columns.fields() {
            let mut positions = Vec::new();
            for column in columns.names() {
                positions.push(position(key, column)?);
            }
            let slot = match key {
                "email" => &mut layout.email,
                "phone" => &mut layout.phone,
                "name" => &mut layout.name,
                "address" => &mut layout.address,
                "customer_id" => &mut layout.customer_id,
                "order" => &mut layout.order,
                _ => &mut layout.created,
            };
            *slot = positions;
        }
        let mapped: Vec<usize> = [
            &layout.email,
            &layout.phone,
            &layout.name,
            &layout.address,
            &layout.customer_id,
            &layout.order,
            &layout.created,
        ]
        .into_iter()
        .flatten()
        .copied()
        .collect();
        layout.other = names
            .iter()
            .enumerate()
            .filter(|(i, _)| !mapped.contains(i))
            .map(|(i, name)| (i, name.clone()))
            .collect();
        Ok(SourceReader {
            csv,
            record: ByteRecord::new(),
            layout,
            encoding,
            normalizer: normalizer.clone(),
            source: config.name().to_string(),
            path: path.to_path_buf(),
        })
    }

    /// Bytes of the file read so far.
    pub fn bytes_read(&self) -> u64 {
        self.csv.get_ref().count
    }

    /// The next data row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row>, ImportError> {
        loop {
            let more = match self.csv.read_byte_record(&mut self.record) {
                Ok(more) => more,
                Err(source) => {
                    let line = source.position().map_or(0, |p| p.line());
                    // Bad UTF-8 cannot occur (byte records); what is left is I/O.
                    return Err(ImportError::Csv {
                        path: self.path.clone(),
                        line,
                        source,
                    });
                }
            };
            if !more {
                return Ok(None);
            }
            let end = self.csv.position().byte();
            let breaks_inside = self
                .record
                .as_slice()
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            let line = self.csv.get_mut().record_line(end, breaks_inside);
            // A blank line at the end of an export is not a row.
            if self.record.len() == 1
                && self
                    .record
                    .get(0)
                    .is_some_and(|f| f.trim_ascii().is_empty())
            {
                continue;
            }
            return Ok(Some(self.row(line)));
        }
    }

    fn row(&self, line: u64) -> Row {
        let reject = |reason: String| Row::Rejected(Rejection { line, reason });
        let record = &self.record;
        if record.len() != self.layout.width {
            return reject(format!(
                "wrong number of fields: {} (the header has {})",
                record.len(),
                self.layout.width
            ));
        }
        let mut fields = Vec::with_capacity(record.len());
        for (i, raw) in record.iter().enumerate() {
            match decode(self.encoding, raw) {
                Some(text) => fields.push(text),
                None => {
                    return reject(format!(
                        "bad encoding: field {} is not valid {} (set encoding = \"latin-1\" if the export is Latin-1)",
                        i + 1,
                        self.encoding.name()
                    ));
                }
            }
        }
        let join = |positions: &[usize], separator: &str| -> Option<String> {
            let parts: Vec<&str> = positions
                .iter()
                .map(|&i| fields[i].trim())
                .filter(|f| !f.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(separator))
        };
        let email = join(&self.layout.email, " ");
        let email_key = match &email {
            Some(email) => match normalize::email_key(email, &self.normalizer.email) {
                Ok(key) => Some(key),
                Err(err) => return reject(format!("bad e-mail {email:?}: {err}")),
            },
            None => None,
        };
        let phone = join(&self.layout.phone, " ");
        let phone_key = phone
            .as_deref()
            .and_then(|p| normalize::phone_key(p, self.normalizer.phone_region));
        let name = join(&self.layout.name, " ");
        let name_key = name.as_deref().map(normalize::name_key);
        let address = join(&self.layout.address, ", ");
        let address_key = address.as_deref().map(normalize::address_key);
        let customer_id = join(&self.layout.customer_id, " ");
        let order = join(&self.layout.order, " ");
        if email_key.is_none() && phone_key.is_none() && customer_id.is_none() && order.is_none() {
            return reject(
                "no identifier: the row has no e-mail, valid phone number, customer id or order"
                    .to_string(),
            );
        }
        let other = self
            .layout
            .other
            .iter()
            .filter(|(i, _)| !fields[*i].trim().is_empty())
            .map(|(i, name)| (name.clone(), fields[*i].trim().to_string()))
            .collect();
        Row::Kept(Entry {
            id: 0,
            source: self.source.clone(),
            line,
            email,
            email_key,
            phone,
            phone_key,
            name,
            name_key,
            address,
            address_key,
            customer_id,
            order,
            created: join(&self.layout.created, " "),
            other,
        })
    }
}

/// The text of a field in `encoding`; `None` when the bytes are not valid in it.
fn decode(encoding: &'static encoding_rs::Encoding, raw: &[u8]) -> Option<String> {
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(raw).ok().map(str::to_string);
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(raw);
    (!had_errors).then(|| text.into_owned())
}

/// The delimiter of a header line: whichever of `,` `;` tab `|` it has most of (outside
/// quotes); `,` when it has none.
pub fn guess_delimiter(start: &[u8]) -> u8 {
    let line = start.split(|&b| b == b'\n').next().unwrap_or(start);
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &byte in line {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == byte) {
            counts[i] += 1;
        }
    }
    let (best, count) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, count)| (**count, std::cmp::Reverse(*i)))
        .unwrap_or((0, &0));
    if *count == 0 { b',' } else { candidates[best] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ColumnMap, Columns, Encoding, SourceConfig, SourceName};

    fn source(encoding: &'static encoding_rs::Encoding) -> SourceConfig {
        SourceConfig {
            name: SourceName("test".to_string()),
            file: PathBuf::from("test.csv"),
            delimiter: None,
            encoding: Encoding(encoding),
            columns: ColumnMap {
                email: Some(Columns::One("Email".to_string())),
                name: Some(Columns::Many(vec!["First".to_string(), "Last".to_string()])),
                ..ColumnMap::default()
            },
            purpose: None,
            categories: None,
            basis: None,
            legal_basis: None,
            retention: None,
            origin: None,
            recipients: Vec::new(),
            transfers: None,
            title: None,
            bookkeeping: false,
            keep: None,
            kept_columns: None,
            marketing: false,
            owner: None,
            on_erase: None,
            on_correct: None,
            on_suppress: None,
            labels: Default::default(),
            values: Default::default(),
        }
    }

    fn read(
        bytes: &[u8],
        encoding: &'static encoding_rs::Encoding,
    ) -> Result<Vec<Row>, ImportError> {
        let normalizer = Normalizer {
            email: EmailRules::default(),
            phone_region: phonenumber::country::Id::FI,
        };
        let mut reader =
            SourceReader::new(&source(encoding), bytes, Path::new("test.csv"), &normalizer)?;
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row()? {
            rows.push(row);
        }
        Ok(rows)
    }

    fn kept(rows: &[Row]) -> Vec<(u64, String, String)> {
        rows.iter()
            .filter_map(|row| match row {
                Row::Kept(e) => Some((
                    e.line,
                    e.name.clone().unwrap_or_default(),
                    e.email_key.clone().unwrap_or_default(),
                )),
                Row::Rejected(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_bom_crlf_quoted_newlines_and_blank_lines_keep_true_line_numbers() {
        let csv = "\u{feff}First,Last,Email,Note\r\nMaija,Virtanen,M.V@Example.test,\"two\r\nlines\"\r\n\r\nJari,Salonen,jari@example.test,\r\n\r\n";
        let rows = read(csv.as_bytes(), encoding_rs::UTF_8).expect("readable");
        assert_eq!(
            kept(&rows),
            [
                (
                    2,
                    "Maija Virtanen".to_string(),
                    "m.v@example.test".to_string()
                ),
                (
                    5,
                    "Jari Salonen".to_string(),
                    "jari@example.test".to_string()
                ),
            ]
        );
        let Row::Kept(first) = &rows[0] else {
            panic!("the first row is kept");
        };
        assert_eq!(
            first.other,
            [("Note".to_string(), "two\r\nlines".to_string())]
        );
    }

    #[test]
    fn latin1_bytes_decode_and_the_same_bytes_are_rejected_as_utf8() {
        let bytes = b"First;Last;Email\nS\xf6ren;\xc5kesson;soren@example.test\n";
        let rows = read(bytes, encoding_rs::WINDOWS_1252).expect("readable");
        assert_eq!(kept(&rows)[0].1, "Sören Åkesson");
        let rows = read(bytes, encoding_rs::UTF_8).expect("readable");
        let Row::Rejected(rejection) = &rows[0] else {
            panic!("not UTF-8: rejected");
        };
        assert_eq!(rejection.line, 2);
        assert!(
            rejection.reason.starts_with("bad encoding"),
            "{}",
            rejection.reason
        );
    }

    #[test]
    fn a_missing_column_and_an_empty_file_are_errors_not_rows() {
        let err = read(b"First,Last,Mail\n", encoding_rs::UTF_8)
            .err()
            .expect("an error");
        assert!(
            matches!(err, ImportError::MissingColumn { key: "email", .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains("\"First\", \"Last\", \"Mail\""),
            "{err}"
        );
        let err = read(b"", encoding_rs::UTF_8).err().expect("an error");
        assert!(matches!(err, ImportError::Empty { .. }), "{err}");
    }

    #[test]
    fn a_row_with_no_identifier_is_rejected() {
        let rows =
            read(b"First,Last,Email\nMaija,Virtanen,\n", encoding_rs::UTF_8).expect("readable");
        let Row::Rejected(rejection) = &rows[0] else {
            panic!("no identifier: rejected");
        };
        assert!(
            rejection.reason.starts_with("no identifier"),
            "{}",
            rejection.reason
        );
    }

    #[test]
    fn the_delimiter_is_told_from_the_header() {
        assert_eq!(guess_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(guess_delimiter(b"a,b,\"c;d\"\n"), b',');
        assert_eq!(guess_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(guess_delimiter(b"only\n"), b',');
    }
}

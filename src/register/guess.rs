//! A source for a CSV file the config does not describe: `register import FILE.csv` with
//! no `[[register.sources]]` for it. The columns are told from the header's names in
//! Finnish, Swedish or English; the encoding from the bytes (UTF-8, else Windows-1252).

use std::path::Path;

use super::import::guess_delimiter;
use super::normalize::name_key;
use crate::config::{ColumnMap, Columns, Encoding, SourceConfig, SourceName};

#[derive(Debug, thiserror::Error)]
pub enum GuessError {
    #[error("cannot read {}", path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: no column looks like an e-mail, phone, customer number or order number (header: {header}); describe the file in [[register.sources]] with its columns",
        path.display()
    )]
    NoIdentifier {
        path: std::path::PathBuf,
        header: String,
    },
}

/// Header names (as name keys) for each field, most specific first.
const EMAIL: &[&str] = &[
    "email",
    "e mail",
    "email address",
    "sahkoposti",
    "sahkopostiosoite",
    "e post",
    "epost",
    "mail",
];
const PHONE: &[&str] = &[
    "phone",
    "phone number",
    "puhelin",
    "puhelinnumero",
    "matkapuhelin",
    "telefon",
    "telefonnummer",
    "mobile",
    "gsm",
    "tel",
];
const NAME: &[&str] = &[
    "name",
    "full name",
    "nimi",
    "namn",
    "customer name",
    "asiakas",
    "vastaanottaja",
    "recipient",
];
const FIRST: &[&str] = &[
    "first name",
    "firstname",
    "given name",
    "etunimi",
    "fornamn",
];
const LAST: &[&str] = &[
    "last name",
    "lastname",
    "surname",
    "family name",
    "sukunimi",
    "efternamn",
];
const ADDRESS: &[&str] = &[
    "address",
    "street",
    "street address",
    "osoite",
    "katuosoite",
    "lahiosoite",
    "adress",
    "gatuadress",
];
const POSTCODE: &[&str] = &[
    "postcode",
    "postal code",
    "zip",
    "zip code",
    "postinumero",
    "postnummer",
];
const CITY: &[&str] = &[
    "city",
    "town",
    "kaupunki",
    "postitoimipaikka",
    "ort",
    "postort",
];
const CUSTOMER: &[&str] = &[
    "customer id",
    "customer number",
    "customer",
    "asiakasnumero",
    "asiakastunnus",
    "kundnummer",
    "kund id",
];
const ORDER: &[&str] = &[
    "order",
    "order number",
    "order id",
    "tilausnumero",
    "tilaus",
    "bestallning",
    "bestallningsnummer",
    "ordernummer",
];
const CREATED: &[&str] = &[
    "created",
    "created at",
    "date",
    "luotu",
    "paivamaara",
    "pvm",
    "skapad",
    "datum",
];

/// A source for `path`, named after the file, with the columns its header suggests.
pub fn source_for_file(path: &Path) -> Result<SourceConfig, GuessError> {
    let io = |source| GuessError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut start = vec![0u8; 64 * 1024];
    let read = {
        use std::io::Read;
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut total = 0;
        loop {
            let n = file.read(&mut start[total..]).map_err(io)?;
            if n == 0 || total + n == start.len() {
                total += n;
                break;
            }
            total += n;
        }
        total
    };
    start.truncate(read);
    // Cut at the last line break so a multi-byte character is never split.
    let whole = start
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(&start[..], |i| &start[..i]);
    let encoding = if std::str::from_utf8(whole).is_ok() {
        encoding_rs::UTF_8
    } else {
        encoding_rs::WINDOWS_1252
    };
    let delimiter = guess_delimiter(&start);
    let first_line = start.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let (header, _) = encoding.decode_without_bom_handling(first_line);
    let header = header.trim_start_matches('\u{feff}').trim_end_matches('\r');
    // The header as the csv crate reads it, so a quoted name may hold the delimiter.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(header.as_bytes());
    let mut record = csv::StringRecord::new();
    // Text read from memory cannot fail to read; were it to, the header names no columns
    // and the import says which it misses.
    let names: Vec<String> = match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|n| n.trim().to_string()).collect(),
        Ok(false) | Err(_) => Vec::new(),
    };
    let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
    let find = |wanted: &[&str]| -> Option<String> {
        wanted
            .iter()
            .find_map(|w| keys.iter().position(|k| k == w))
            .map(|i| names[i].clone())
    };
    let one = |wanted: &[&str]| find(wanted).map(Columns::One);
    let name = match (find(FIRST), find(LAST)) {
        (Some(first), Some(last)) => Some(Columns::Many(vec![first, last])),
        _ => one(NAME),
    };
    let address_parts: Vec<String> = [find(ADDRESS), find(POSTCODE), find(CITY)]
        .into_iter()
        .flatten()
        .collect();
    let columns = ColumnMap {
        email: one(EMAIL),
        phone: one(PHONE),
        name,
        address: (!address_parts.is_empty()).then_some(Columns::Many(address_parts)),
        customer_id: one(CUSTOMER),
        order: one(ORDER),
        created: one(CREATED),
    };
    if columns.email.is_none()
        && columns.phone.is_none()
        && columns.customer_id.is_none()
        && columns.order.is_none()
    {
        return Err(GuessError::NoIdentifier {
            path: path.to_path_buf(),
            header: names.join(", "),
        });
    }
    let stem: String = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    Ok(SourceConfig {
        name: SourceName(if stem.is_empty() {
            "import".to_string()
        } else {
            stem
        }),
        file: path.to_path_buf(),
        delimiter: Some(crate::config::Delimiter(delimiter)),
        encoding: Encoding(encoding),
        columns,
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_told_from_finnish_swedish_and_english_headers() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("Asiakkaat 2026.csv");
        std::fs::write(&path, "Asiakasnumero;Etunimi;Sukunimi;Sähköposti;Puhelin;Katuosoite;Postinumero;Postitoimipaikka\n1;A;B;a@example.test;040 1;K 1;00100;Helsinki\n").expect("write");
        let source = source_for_file(&path).expect("a source");
        assert_eq!(source.name(), "Asiakkaat_2026");
        assert_eq!(source.delimiter.map(|d| d.0), Some(b';'));
        let names =
            |c: &Option<Columns>| c.as_ref().map(|c| c.names().to_vec()).unwrap_or_default();
        assert_eq!(names(&source.columns.email), ["Sähköposti"]);
        assert_eq!(names(&source.columns.name), ["Etunimi", "Sukunimi"]);
        assert_eq!(
            names(&source.columns.address),
            ["Katuosoite", "Postinumero", "Postitoimipaikka"]
        );
        assert_eq!(names(&source.columns.customer_id), ["Asiakasnumero"]);

        std::fs::write(&path, b"Namn,E-post\nS\xf6ren,soren@example.test\n").expect("write");
        let source = source_for_file(&path).expect("a source");
        assert_eq!(source.encoding.0, encoding_rs::WINDOWS_1252);
        assert_eq!(names(&source.columns.email), ["E-post"]);

        std::fs::write(&path, "Product,Price\nSocks,9\n").expect("write");
        assert!(matches!(
            source_for_file(&path),
            Err(GuessError::NoIdentifier { .. })
        ));
    }
}

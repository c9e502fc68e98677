//! The synthetic half of the training set: a deterministic generator (seeded SplitMix64, no
//! external data) that writes realistic datasets for each label from templates — `.env` files,
//! AWS credential files, user tables, card transactions, IBAN payments, patient records,
//! clinical notes, customer tables, application logs, server inventories, open-data CSVs,
//! READMEs — with varied column naming, formats, gzip, distractors and keys-only variants.
//! Names, streets, diagnoses and words are small lists written for this project.
//!
//! Labelling rule for mixed content: the most severe category present wins, in the order
//! credentials > financial > health > personal > internal > public (a customer table that
//! also holds card numbers is `financial`; a user table with passwords is `credentials`).
//! See `datasets/sensitivity/DATASHEET.md`.

use crate::classify::Label;
use std::io::Write;

/// SplitMix64: tiny, fast and fully deterministic across platforms.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| char::from(*self.pick(alphabet))).collect()
    }
    fn digits(&mut self, n: usize) -> String {
        self.chars(b"0123456789", n)
    }
}

/// One generated dataset: a label, a bucket-like name, object keys and sample files.
#[derive(Debug, Clone)]
pub struct TrainingDataset {
    pub label: Label,
    pub name: String,
    pub keys: Vec<String>,
    pub samples: Vec<(String, Vec<u8>)>,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";

// Lists for generated people: a subset of the detector lists plus names the detector does not
// know, so the model also learns from columns and formats rather than the list alone.
const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Linda",
    "David",
    "Susan",
    "Carlos",
    "Lucia",
    "Hans",
    "Sabine",
    "Pierre",
    "Camille",
    "Giulia",
    "Marco",
    "Piotr",
    "Agnieszka",
    "Olga",
    "Ivan",
    "Yuki",
    "Hiroshi",
    "Wei",
    "Priya",
    "Rahul",
    "Fatima",
    "Omar",
    "Kwame",
    "Ngozi",
    "Lars",
    "Ingrid",
    "Tereza",
    "Joao",
    "Beatriz",
    "Aroha",
    "Tane",
    "Siosaia",
    "Ekaterina",
    "Dagny",
    "Leif",
    "Zsofia",
    "Bence",
    "Orla",
    "Cillian",
    "Ayelet",
    "Yonatan",
    "Thandiwe",
    "Mpho",
    "Anahera",
    "Keoni",
];
const LAST: &[&str] = &[
    "Smith",
    "Garcia",
    "Nguyen",
    "Muller",
    "Rossi",
    "Nowak",
    "Ivanov",
    "Tanaka",
    "Chen",
    "Patel",
    "Okafor",
    "Silva",
    "Jensen",
    "Dubois",
    "Kowalski",
    "Hernandez",
    "Kim",
    "Singh",
    "Novak",
    "Larsen",
    "Brennan",
    "Haugland",
    "Varga",
    "Ngata",
    "Kealoha",
    "Fonua",
    "Mbeki",
    "Abiodun",
    "Lindqvist",
    "Castellano",
    "Whitfield",
    "Ashworth",
    "Pemberton",
    "Yilmaz",
    "Demir",
    "Horvath",
    "Tamm",
    "Ozols",
];
const STREETS: &[&str] = &[
    "Maple", "Oak", "Baker", "High", "Church", "Mill", "Park", "Station", "Victoria", "Elm",
    "Lake", "Hill", "Cedar", "Sunset", "Kings",
];
const STREET_KINDS: &[&str] = &[
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Road",
    "Rd",
    "Lane",
    "Drive",
    "Boulevard",
    "Way",
    "Court",
    "Place",
];
const CITIES: &[&str] = &[
    "Springfield",
    "Riverton",
    "Lyon",
    "Porto",
    "Gdansk",
    "Leeds",
    "Austin",
    "Denver",
    "Osaka",
    "Pune",
    "Accra",
    "Bergen",
    "Tartu",
    "Cork",
    "Tucson",
    "Halifax",
];
const STATES: &[&str] = &["CA", "TX", "NY", "WA", "IL", "OR", "CO", "MA", "FL", "GA"];
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "with",
    "as",
    "this",
    "that",
    "from",
    "by",
    "at",
    "an",
    "be",
    "are",
    "was",
    "we",
    "our",
    "new",
    "data",
    "project",
    "release",
    "version",
    "support",
    "library",
    "simple",
    "fast",
    "open",
    "source",
    "community",
    "guide",
    "example",
    "feature",
    "update",
    "results",
    "study",
    "season",
    "weather",
    "river",
    "mountain",
    "city",
    "history",
    "music",
    "recipe",
    "garden",
    "travel",
    "photo",
    "design",
    "system",
    "model",
    "report",
    "public",
    "research",
    "year",
];
const CONDITIONS: &[&str] = &[
    "acute bronchitis",
    "type 2 diabetes mellitus",
    "essential hypertension",
    "asthma, unspecified",
    "chronic kidney disease",
    "major depressive disorder",
    "generalized anxiety disorder",
    "osteoarthritis of knee",
    "migraine without aura",
    "iron deficiency anemia",
    "gastroenteritis",
    "community acquired pneumonia",
    "atrial fibrillation",
    "hypothyroidism",
    "urinary tract infection",
    "cellulitis of lower limb",
    "fracture of radius",
    "obstructive sleep apnea",
    "psoriasis",
    "gout",
];
const DRUGS: &[&str] = &[
    "metformin",
    "lisinopril",
    "atorvastatin",
    "amoxicillin",
    "levothyroxine",
    "omeprazole",
    "sertraline",
    "albuterol",
    "ibuprofen",
    "warfarin",
    "prednisone",
    "insulin glargine",
];
const LAB_TESTS: &[&str] = &[
    "HbA1c",
    "LDL cholesterol",
    "TSH",
    "creatinine",
    "hemoglobin",
    "glucose",
    "ALT",
    "eGFR",
    "potassium",
    "CRP",
];
const SERVICES: &[&str] = &[
    "checkout",
    "auth",
    "orders",
    "search",
    "billing-worker",
    "gateway",
    "inventory",
    "notifier",
    "scheduler",
    "reporting",
];
const TEAMS: &[&str] = &[
    "platform", "payments", "growth", "data-eng", "sre", "mobile", "security", "infra",
];
const PRODUCTS: &[&str] = &[
    "Desk Lamp",
    "Water Bottle",
    "Notebook",
    "Backpack",
    "Headphones",
    "Coffee Mug",
    "Yoga Mat",
    "Umbrella",
    "Phone Case",
    "Travel Pillow",
];
const SPECIES: &[&str] = &["setosa", "versicolor", "virginica", "alpina", "borealis"];
const COUNTRIES: &[&str] = &[
    "France", "Kenya", "Chile", "Japan", "Norway", "Peru", "Ghana", "Canada", "Vietnam", "Estonia",
];
const NEUTRAL_NAMES: &[&str] = &[
    "data", "archive", "bucket", "storage", "files", "shared", "export", "dump", "tmp", "misc",
    "uploads", "sync",
];
const COMPANIES: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
];

type Template = fn(&mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str);

/// Generates `per_label` datasets for each label, deterministically for a seed.
pub fn generate(seed: u64, per_label: usize) -> Vec<TrainingDataset> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for label in Label::TRAINED {
        let templates = templates(label);
        for i in 0..per_label {
            let t = templates[i % templates.len()];
            let (files, keys, topic) = t(&mut rng);
            let name = bucket_name(&mut rng, topic);
            // Keys-only variant: the model must also label from names when nothing is sampled.
            let keys_only = rng.chance(0.12);
            let mut samples = Vec::new();
            if !keys_only {
                for (mut fname, mut body) in files {
                    // Non-secret data carries the odd random-looking string too (checksums,
                    // tracking ids, encoded blobs): one such string must not make a table
                    // `credentials`.
                    if label != Label::Credentials && rng.chance(0.35) {
                        inject_noise(&mut rng, &mut body);
                    }
                    // Often the file name says nothing: the content must.
                    if rng.chance(0.4) {
                        let ext = fname
                            .rsplit_once('.')
                            .map(|(_, e)| e.to_string())
                            .unwrap_or_else(|| "txt".to_string());
                        fname = format!(
                            "{}-{:04}.{ext}",
                            rng.pick(&["part", "data", "export", "sample", "file", "object"]),
                            rng.below(10_000)
                        );
                    }
                    let body = body.into_bytes();
                    if rng.chance(0.08) {
                        let mut enc =
                            flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                        if enc.write_all(&body).is_ok() {
                            if let Ok(gz) = enc.finish() {
                                samples.push((format!("{fname}.gz"), gz));
                                continue;
                            }
                        }
                    }
                    samples.push((fname, body));
                }
            }
            // Half the time the keys are uninformative, so content must carry the label.
            let keys = if !keys_only && rng.chance(0.4) {
                neutral_keys(&mut rng)
            } else {
                keys
            };
            out.push(TrainingDataset {
                label,
                name,
                keys,
                samples,
            });
        }
    }
    out
}

fn inject_noise(rng: &mut SplitMix64, body: &mut String) {
    for _ in 0..rng.range(1, 3) {
        let blob = match rng.below(3) {
            0 => {
                let n = rng_len_noise(rng);
                rng.chars(B64, n)
            }
            1 => format!("{}-{}", rng.chars(ALNUM, 12), rng.chars(ALNUM, 14)),
            _ => rng.chars(ALNUM, 28),
        };
        let lines: Vec<&str> = body.lines().collect();
        let at = 1 + rng.below(lines.len().max(1));
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let csv_like = lines.first().is_some_and(|h| h.matches(',').count() >= 2);
        let line = if csv_like {
            let cols = lines.first().map(|h| h.matches(',').count()).unwrap_or(0);
            format!("{blob}{}", ",".repeat(cols))
        } else {
            format!(
                "{} {blob}",
                rng.pick(&["ref", "checksum", "etag:", "build", "#", "id"])
            )
        };
        out.insert(at.min(out.len()), line);
        *body = out.join("\n") + "\n";
    }
}

fn rng_len_noise(rng: &mut SplitMix64) -> usize {
    rng.range(20, 60)
}

fn bucket_name(rng: &mut SplitMix64, topic: &str) -> String {
    let company = rng.pick(COMPANIES);
    if rng.chance(0.5) {
        format!("{company}-{}-{}", rng.pick(NEUTRAL_NAMES), rng.below(100))
    } else {
        format!(
            "{company}-{topic}-{}",
            rng.pick(&["prod", "dev", "backup", "eu", "us", "2024"])
        )
    }
}

fn neutral_keys(rng: &mut SplitMix64) -> Vec<String> {
    let n = rng.range(1, 12);
    (0..n)
        .map(|i| {
            format!(
                "{}/part-{:05}.{}",
                rng.pick(NEUTRAL_NAMES),
                i,
                rng.pick(&["csv", "json", "txt", "dat"])
            )
        })
        .collect()
}

fn keys_like(rng: &mut SplitMix64, patterns: &[&str]) -> Vec<String> {
    let n = rng.range(2, 15);
    (0..n)
        .map(|i| {
            let p = rng.pick(patterns);
            p.replace("{y}", &format!("{}", 2019 + rng.below(6)))
                .replace("{m}", &format!("{:02}", 1 + rng.below(12)))
                .replace("{n}", &format!("{:05}", i + rng.below(1000)))
        })
        .collect()
}

fn templates(label: Label) -> Vec<Template> {
    match label {
        Label::Credentials => vec![
            dotenv,
            aws_credentials,
            yaml_secrets,
            service_account_json,
            pem_key,
            users_table,
            code_with_secret,
            log_with_tokens,
            connection_strings,
            ci_variables,
            secret_snippet,
            people_with_passwords,
            bare_secret,
            users_table,
            bare_secret,
            secret_snippet,
            bare_secret,
        ],
        Label::Financial => vec![
            card_transactions,
            iban_payments,
            invoice_text,
            bank_statement,
            card_dump,
            payroll_bank,
            customers_with_cards,
            ledger,
        ],
        Label::Health => vec![
            patient_records,
            clinical_notes,
            lab_results,
            prescriptions,
            claims,
            discharge_summary,
            diagnosis_json,
        ],
        Label::Personal => vec![
            customers,
            user_profiles,
            hr_employees,
            contact_messages,
            newsletter,
            identity_docs,
            crm_notes,
            address_book,
            delivery_notes,
            social_posts,
        ],
        Label::Internal => vec![
            app_logs,
            server_inventory,
            meeting_notes,
            config_no_secrets,
            service_metrics,
            ticket_export,
            terraform_plan,
            build_log,
            salary_bands,
            code_file,
        ],
        Label::Public | Label::Unknown => vec![
            measurements,
            weather,
            sports,
            product_catalog,
            geo_population,
            readme,
            blog,
            html_page,
            countries_json,
            changelog,
            schools,
            flights,
            short_snippet,
        ],
    }
}

// ---- value helpers -------------------------------------------------------------------------

fn first(rng: &mut SplitMix64) -> String {
    rng.pick(FIRST).to_string()
}
fn last(rng: &mut SplitMix64) -> String {
    rng.pick(LAST).to_string()
}
fn email(rng: &mut SplitMix64, f: &str, l: &str) -> String {
    let dom = rng.pick(&[
        "example.com",
        "mail.net",
        "inbox.org",
        "corp.io",
        "webmail.co.uk",
        "post.de",
    ]);
    match rng.below(3) {
        0 => format!("{}.{}@{dom}", f.to_lowercase(), l.to_lowercase()),
        1 => format!(
            "{}{}{}@{dom}",
            &f[..1].to_lowercase(),
            l.to_lowercase(),
            rng.below(99)
        ),
        _ => format!("{}{}@{dom}", f, l),
    }
}
fn phone(rng: &mut SplitMix64) -> String {
    match rng.below(5) {
        0 => format!(
            "({}) {}-{}",
            rng.range(201, 989),
            rng.range(200, 999),
            rng.digits(4)
        ),
        1 => format!(
            "{}-{}-{}",
            rng.range(201, 989),
            rng.range(200, 999),
            rng.digits(4)
        ),
        2 => format!("+44 7700 {}", rng.digits(6)),
        3 => format!(
            "0{} {} {} {}",
            rng.range(1, 9),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2)
        ),
        _ => format!(
            "+1 {} {} {}",
            rng.range(201, 989),
            rng.digits(3),
            rng.digits(4)
        ),
    }
}
fn street(rng: &mut SplitMix64) -> String {
    format!(
        "{} {} {}",
        rng.range(1, 9999),
        rng.pick(STREETS),
        rng.pick(STREET_KINDS)
    )
}
fn date(rng: &mut SplitMix64, y0: usize, y1: usize) -> String {
    let (y, m, d) = (rng.range(y0, y1), rng.range(1, 12), rng.range(1, 28));
    match rng.below(3) {
        0 => format!("{y}-{m:02}-{d:02}"),
        1 => format!("{m}/{d}/{y}"),
        _ => format!("{d:02}.{m:02}.{y}"),
    }
}
fn iso_ts(rng: &mut SplitMix64) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}
fn ssn(rng: &mut SplitMix64) -> String {
    format!(
        "{:03}-{:02}-{:04}",
        rng.range(1, 665),
        rng.range(1, 99),
        rng.range(1, 9999)
    )
}
fn luhn_complete(prefix: &str, len: usize, rng: &mut SplitMix64) -> String {
    let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while digits.len() < len - 1 {
        digits.push(rng.below(10) as u32);
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let v = d * 2;
                if v > 9 {
                    v - 9
                } else {
                    v
                }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}
fn card(rng: &mut SplitMix64) -> String {
    let raw = match rng.below(4) {
        0 => luhn_complete("4", 16, rng),
        1 => luhn_complete(&format!("5{}", rng.range(1, 5)), 16, rng),
        2 => luhn_complete(*rng.pick(&["34", "37"]), 15, rng),
        _ => luhn_complete("6011", 16, rng),
    };
    if rng.chance(0.3) && raw.len() == 16 {
        format!(
            "{} {} {} {}",
            &raw[0..4],
            &raw[4..8],
            &raw[8..12],
            &raw[12..16]
        )
    } else {
        raw
    }
}
fn iban(rng: &mut SplitMix64) -> String {
    let (cc, body) = match rng.below(3) {
        0 => (
            "GB",
            format!(
                "{}{}",
                rng.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
                rng.digits(14)
            ),
        ),
        1 => ("DE", rng.digits(18)),
        _ => ("FR", rng.digits(23)),
    };
    // Check digits: 98 - (BBAN + CC + "00") mod 97.
    let rearranged = format!("{body}{cc}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    format!("{cc}{:02}{body}", 98 - rem)
}
fn aws_key(rng: &mut SplitMix64) -> String {
    format!("{}{}", rng.pick(&["AKIA", "ASIA"]), rng.chars(BASE32, 16))
}
fn secret40(rng: &mut SplitMix64) -> String {
    rng.chars(B64, 40)
}
fn token(rng: &mut SplitMix64) -> String {
    let n = rng.range(24, 48);
    match rng.below(8) {
        0 => format!("ghp_{}", rng.chars(ALNUM, 36)),
        1 => format!(
            "xoxb-{}-{}-{}",
            rng.digits(12),
            rng.digits(13),
            rng.chars(ALNUM, 24)
        ),
        2 => format!("sk_live_{}", rng.chars(ALNUM, 24)),
        3 => format!("glpat-{}", rng.chars(ALNUM, 20)),
        4 => rng.chars(HEX, 40),
        5 => format!("AIza{}", rng.chars(ALNUM, 35)),
        _ => rng.chars(ALNUM, n),
    }
}
fn password(rng: &mut SplitMix64) -> String {
    match rng.below(4) {
        0 => format!(
            "{}{}!",
            rng.pick(&["Summer", "Winter", "Dragon", "Monkey", "Sunshine"]),
            rng.range(10, 2025)
        ),
        1 => {
            let n = rng.range(8, 16);
            rng.chars(ALNUM, n)
        }
        2 => format!("$2b$12${}", rng.chars(ALNUM, 53)),
        _ => format!(
            "{}#{}{}",
            rng.chars(ALNUM, 4),
            rng.digits(3),
            rng.chars(ALNUM, 3)
        ),
    }
}
fn jwt(rng: &mut SplitMix64) -> String {
    let n = rng.range(30, 80);
    format!(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{}.{}",
        rng.chars(ALNUM, n),
        rng.chars(ALNUM, 43)
    )
}
fn pem(rng: &mut SplitMix64) -> String {
    let kind = rng.pick(&[
        "RSA PRIVATE KEY",
        "PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
    ]);
    let mut s = format!("-----BEGIN {kind}-----\n");
    for _ in 0..rng.range(5, 25) {
        s.push_str(&rng.chars(B64, 64));
        s.push('\n');
    }
    s.push_str(&format!("-----END {kind}-----\n"));
    s
}
fn icd(rng: &mut SplitMix64) -> String {
    let letter = *rng.pick(b"ABCDEFGHIJKLMNOPQRSTVWXYZ");
    format!(
        "{}{:02}.{}",
        char::from(letter),
        rng.below(100),
        rng.range(0, 99)
    )
}
fn sentence(rng: &mut SplitMix64, n: usize) -> String {
    let mut s: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
    if let Some(f) = s.first_mut() {
        *f = "The";
    }
    format!("{}.", s.join(" "))
}
fn csv_doc(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        let cells: Vec<String> = r
            .into_iter()
            .map(|c| {
                if c.contains(',') {
                    format!("\"{c}\"")
                } else {
                    c
                }
            })
            .collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}
/// Column names in one of several naming styles.
fn style(rng_style: usize, words: &[&str]) -> String {
    match rng_style % 4 {
        0 => words.join("_"),
        1 => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.to_string() } else { capitalize(w) })
            .collect(),
        2 => words.iter().map(|w| capitalize(w)).collect(),
        _ => words.join("_").to_uppercase(),
    }
}
fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
fn header(rng: &mut SplitMix64, cols: &[&[&str]]) -> Vec<String> {
    let s = rng.below(4);
    cols.iter().map(|w| style(s, w)).collect()
}
/// A CSV table; `n` rows, or a random number of rows when `n` is 0.
fn table(
    rng: &mut SplitMix64,
    cols: &[&[&str]],
    n: usize,
    mut row: impl FnMut(&mut SplitMix64) -> Vec<String>,
) -> String {
    let rows = if n == 0 { rows(rng) } else { n };
    let h = header(rng, cols);
    let hr: Vec<&str> = h.iter().map(String::as_str).collect();
    let data: Vec<Vec<String>> = (0..rows).map(|_| row(rng)).collect();
    csv_doc(&hr, data)
}
fn rows(rng: &mut SplitMix64) -> usize {
    rng.range(8, 120)
}

// ---- credentials ---------------------------------------------------------------------------

fn dotenv(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut lines = vec![
        format!("PORT={}", rng.range(3000, 9000)),
        "NODE_ENV=production".into(),
        format!("LOG_LEVEL={}", rng.pick(&["info", "debug", "warn"])),
    ];
    lines.push(format!(
        "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
        rng.chars(ALNUM, 14)
    ));
    lines.push(format!("DB_PASSWORD={}", password(rng)));
    lines.push(format!("AWS_ACCESS_KEY_ID={}", aws_key(rng)));
    lines.push(format!("AWS_SECRET_ACCESS_KEY={}", secret40(rng)));
    lines.push(format!(
        "{}={}",
        rng.pick(&[
            "STRIPE_SECRET_KEY",
            "GITHUB_TOKEN",
            "SLACK_BOT_TOKEN",
            "API_KEY",
            "SENDGRID_API_KEY"
        ]),
        token(rng)
    ));
    lines.push(format!("JWT_SECRET={}", rng.chars(ALNUM, 32)));
    rng.shuffle(&mut lines);
    let keep = rng.range(3, lines.len());
    lines.truncate(keep);
    if !lines.iter().any(|l| {
        l.contains("PASSWORD") || l.contains("SECRET") || l.contains("TOKEN") || l.contains("KEY")
    }) {
        lines.push(format!("API_TOKEN={}", token(rng)));
    }
    let name = rng
        .pick(&[".env", ".env.production", "app.env", "config.env"])
        .to_string();
    (
        vec![(name, lines.join("\n") + "\n")],
        keys_like(
            rng,
            &[
                "config/.env",
                "deploy/{n}/.env.production",
                "services/api/.env",
            ],
        ),
        "config",
    )
}
fn aws_credentials(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for p in ["default", "prod", "ci"].iter().take(rng.range(1, 3)) {
        s.push_str(&format!(
            "[{p}]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = {}\n\n",
            aws_key(rng),
            secret40(rng),
            rng.pick(&["us-east-1", "eu-west-1"])
        ));
    }
    (
        vec![("credentials".into(), s)],
        keys_like(
            rng,
            &[
                "home/{n}/.aws/credentials",
                "backup/aws/credentials",
                "ci/secrets/aws-{n}",
            ],
        ),
        "secrets",
    )
}
fn yaml_secrets(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = format!(
        "database:\n  host: {}\n  port: 5432\n  username: {}\n  password: {}\nredis:\n  url: redis://:{}@cache:6379\nsmtp:\n  user: mailer\n  pass: {}\napi:\n  token: {}\n  timeout: 30\n",
        rng.pick(&["db.internal", "10.0.3.12", "postgres"]),
        rng.pick(&["app", "admin", "svc_orders"]),
        password(rng),
        rng.chars(ALNUM, 16),
        password(rng),
        token(rng)
    );
    (
        vec![(
            rng.pick(&[
                "config.yaml",
                "values.yml",
                "application.yml",
                "secrets.yaml",
            ])
            .to_string(),
            s,
        )],
        keys_like(rng, &["helm/{n}/values.yml", "config/prod/application.yml"]),
        "config",
    )
}
fn service_account_json(
    rng: &mut SplitMix64,
) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let key = pem(rng).replace('\n', "\\n");
    let s = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"proj-{}\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{key}\",\n  \"client_email\": \"svc@proj.iam.gserviceaccount.com\",\n  \"client_id\": \"{}\"\n}}\n",
        rng.digits(6),
        rng.chars(HEX, 40),
        rng.digits(21)
    );
    (
        vec![("service-account.json".into(), s)],
        keys_like(rng, &["keys/sa-{n}.json", "gcp/credentials.json"]),
        "keys",
    )
}
fn pem_key(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    (
        vec![(
            rng.pick(&["id_rsa", "server.key", "deploy.pem", "tls.key"])
                .to_string(),
            pem(rng),
        )],
        keys_like(
            rng,
            &["keys/id_rsa", "certs/{n}/server.key", "ssh/deploy.pem"],
        ),
        "keys",
    )
}
fn users_table(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["user", "id"],
        &["username"],
        &["email"],
        &[*rng.pick(&["password", "password_hash", "pwd"])],
        &["last", "login"],
    ];
    let body = table(rng, cols, 0, |r| {
        let (f, l) = (first(r), last(r));
        vec![
            r.range(1, 99999).to_string(),
            format!("{}{}", f.to_lowercase(), r.below(99)),
            email(r, &f, &l),
            password(r),
            iso_ts(r),
        ]
    });
    (
        vec![("users.csv".into(), body)],
        keys_like(
            rng,
            &["db-dumps/users-{y}{m}.csv", "exports/accounts/users.csv"],
        ),
        "auth",
    )
}
fn code_with_secret(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = if rng.chance(0.5) {
        format!("import requests\n\nAPI_KEY = \"{}\"\nBASE_URL = \"https://api.example.com/v2\"\n\ndef fetch(path):\n    return requests.get(BASE_URL + path, headers={{\"Authorization\": \"Bearer \" + API_KEY}})\n", token(rng))
    } else {
        format!("const client = new Client({{\n  accessKeyId: '{}',\n  secretAccessKey: '{}',\n  region: 'us-east-1',\n}});\nmodule.exports = client;\n", aws_key(rng), secret40(rng))
    };
    (
        vec![(
            rng.pick(&["client.py", "settings.py", "aws.js", "index.js"])
                .to_string(),
            s,
        )],
        keys_like(rng, &["src/{n}/client.py", "repo-backup/{y}/settings.py"]),
        "code",
    )
}
fn log_with_tokens(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(10, 60) {
        if rng.chance(0.4) {
            s.push_str(&format!(
                "{} DEBUG request headers: Authorization: Bearer {}\n",
                iso_ts(rng),
                jwt(rng)
            ));
        } else {
            s.push_str(&format!(
                "{} INFO {} GET /api/v1/orders 200 {}ms\n",
                iso_ts(rng),
                rng.pick(SERVICES),
                rng.range(3, 900)
            ));
        }
    }
    s.push_str(&format!(
        "{} DEBUG login ok password={}\n",
        iso_ts(rng),
        password(rng)
    ));
    (
        vec![("debug.log".into(), s)],
        keys_like(rng, &["logs/debug/{y}/{m}/app-{n}.log"]),
        "logs",
    )
}
fn connection_strings(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(2, 6) {
        s.push_str(&format!(
            "{}://{}:{}@{}:{}/{}\n",
            rng.pick(&["postgres", "mysql", "mongodb", "amqp", "redis"]),
            rng.pick(&["admin", "root", "app", "etl"]),
            password(rng),
            rng.pick(&["10.1.2.3", "db.corp", "prod-db.internal"]),
            rng.range(1000, 9999),
            rng.pick(&["app", "orders", "analytics"])
        ));
    }
    s.push_str(&format!(
        "machine api.example.com login deploy password {}\n",
        password(rng)
    ));
    (
        vec![(
            rng.pick(&["connections.txt", ".netrc", "dsn.conf"])
                .to_string(),
            s,
        )],
        keys_like(rng, &["etl/{n}/connections.txt", "backup/.netrc"]),
        "secrets",
    )
}
fn ci_variables(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::from("[\n");
    let n = rng.range(3, 10);
    for i in 0..n {
        let k = rng.pick(&[
            "NPM_TOKEN",
            "DOCKER_PASSWORD",
            "SONAR_TOKEN",
            "SLACK_WEBHOOK_SECRET",
            "DEPLOY_KEY",
            "GH_TOKEN",
        ]);
        s.push_str(&format!(
            "  {{\"key\": \"{k}\", \"value\": \"{}\", \"protected\": true}}{}\n",
            token(rng),
            if i + 1 < n { "," } else { "" }
        ));
    }
    s.push_str("]\n");
    (
        vec![("variables.json".into(), s)],
        keys_like(rng, &["ci/export/variables-{n}.json"]),
        "ci",
    )
}

fn secret_snippet(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    const KEYS: &[&str] = &[
        "api_key",
        "apiKey",
        "secret",
        "token",
        "auth_token",
        "password",
        "client_secret",
        "access_key",
        "SECRET_KEY",
        "db_pass",
        "private_token",
        "webhook_secret",
        "PSWD",
        "passwd",
        "my_pw",
        "MYSQL_PASS",
        "pwd",
        "Password",
        "wifi_password",
    ];
    const PREFIXES: &[&str] = &[
        "ghp_", "glpat-", "xoxb-", "sk_live_", "hf_", "npm_", "dop_v1_", "shpat_", "AIza",
        "sk-proj-", "dapi", "xapp-1-", "rk_live_", "glsa_", "pypi-AgE",
    ];
    let mut lines = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let key = *rng.pick(KEYS);
        let secret = if rng.chance(0.5) {
            format!("{}{}", rng.pick(PREFIXES), rng.chars(ALNUM, 40))
        } else if rng.chance(0.5) {
            token(rng)
        } else {
            password(rng)
        };
        lines.push(match rng.below(10) {
            0 => format!("{key} = \"{secret}\""),
            1 => format!("export {}={secret}", key.to_uppercase()),
            2 => format!("\"{key}\": \"{secret}\","),
            3 => format!("{key}: {secret}"),
            4 => format!(
                "{secret}  # {}",
                rng.pick(&["prod", "do not commit", "temp", "TP"])
            ),
            5 => format!(
                "curl -H \"Authorization: Bearer {}\" https://api.example.com/v1/me",
                jwt(rng)
            ),
            6 => format!("<{key}>{secret}</{key}>"),
            7 => format!("mysql -u root --password={secret} app"),
            8 => format!("const {key} = '{secret}';"),
            _ => format!("the {key} is {secret}"),
        });
    }
    if rng.chance(0.5) {
        lines.insert(
            0,
            rng.pick(&["# settings", "import os", "[default]", "// config", "---"])
                .to_string(),
        );
    }
    let name = rng
        .pick(&[
            "config.py",
            "settings.toml",
            "secrets.txt",
            "app.js",
            "notes.md",
            "token",
            "creds.xml",
            "run.sh",
        ])
        .to_string();
    (
        vec![(name, lines.join("\n") + "\n")],
        keys_like(rng, &["repo/{n}/config.py", "tmp/{n}.txt"]),
        "code",
    )
}
/// The secret alone, as vendor samples and pasted tokens look: one to three lines.
fn bare_secret(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    const PREFIXES: &[&str] = &[
        "ghp_", "glpat-", "xoxb-", "sk_live_", "hf_", "npm_", "dop_v1_", "shpat_", "AIza",
        "sk-proj-", "dapi", "xapp-1-", "rk_live_", "glsa_", "pypi-AgE", "SG.", "key-", "cosmo_",
        "ops_eyJ",
    ];
    let mut lines: Vec<String> = Vec::new();
    for _ in 0..rng.range(1, 3) {
        lines.push(match rng.below(7) {
            0 => {
                let n = rng_len(rng);
                format!("{}{}", rng.pick(PREFIXES), rng.chars(ALNUM, n))
            }
            // Hex or lower-case bodies: not "random-looking" to the entropy detector, so the
            // prefix alone has to carry the label.
            1 => {
                let n = rng_len(rng);
                format!("{}{}", rng.pick(PREFIXES), rng.chars(HEX, n))
            }
            2 => {
                let n = rng_len(rng);
                format!(
                    "{}{}",
                    rng.pick(PREFIXES),
                    rng.chars(b"abcdefghijklmnopqrstuvwxyz0123456789", n)
                )
            }
            3 => jwt(rng),
            4 => format!(
                "-----BEGIN {}PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
                rng.pick(&["", "RSA ", "OPENSSH "]),
                rng.pick(WORDS).repeat(6)
            ),
            5 => aws_key(rng),
            _ => format!("{} {}", token(rng), rng.pick(&["# TP", "", "(prod)"])),
        });
    }
    let name = rng
        .pick(&["token", "key", "secret.txt", "notes", "sample", "paste.txt"])
        .to_string();
    (
        vec![(name, lines.join("\n") + "\n")],
        keys_like(rng, &["tmp/{n}", "paste/{n}.txt"]),
        "tmp",
    )
}

fn rng_len(rng: &mut SplitMix64) -> usize {
    rng.range(24, 64)
}
// Column-name synonyms for people tables, shared by every template that has them, so that
// only the columns that differ (a password, a card number) separate the labels.
const FIRST_COLS: &[&[&str]] = &[
    &["first", "name"],
    &["given", "name"],
    &["forename"],
    &["fname"],
];
const LAST_COLS: &[&[&str]] = &[
    &["last", "name"],
    &["surname"],
    &["family", "name"],
    &["lname"],
];
const EMAIL_COLS: &[&[&str]] = &[&["email"], &["email", "address"], &["mail"], &["e", "mail"]];
const PHONE_COLS: &[&[&str]] = &[
    &["phone"],
    &["telephone", "number"],
    &["mobile"],
    &["phone", "number"],
];
const STREET_COLS: &[&[&str]] = &[
    &["street", "address"],
    &["address"],
    &["street"],
    &["address", "line1"],
];

fn people_with_passwords(
    rng: &mut SplitMix64,
) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: Vec<&[&str]> = vec![
        *rng.pick(FIRST_COLS),
        *rng.pick(LAST_COLS),
        *rng.pick(STREET_COLS),
        &["city"],
        *rng.pick(EMAIL_COLS),
        &["username"],
        &["password"],
        *rng.pick(PHONE_COLS),
        &["birthday"],
    ];
    let body = table(rng, &cols, 0, |r| {
        let (f, l) = (first(r), last(r));
        vec![
            f.clone(),
            l.clone(),
            street(r),
            r.pick(CITIES).to_string(),
            email(r, &f, &l),
            format!("{}{}", f.to_lowercase(), r.below(999)),
            password(r),
            phone(r),
            date(r, 1950, 2004),
        ]
    });
    (
        vec![("people.csv".into(), body)],
        keys_like(rng, &["dumps/{n}/accounts.csv", "exports/members-{y}.csv"]),
        "members",
    )
}

// ---- financial -----------------------------------------------------------------------------

fn card_transactions(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["txn", "id"],
        &["timestamp"],
        &[*rng.pick(&["card_number", "pan", "cc_num", "card"])],
        &["amount"],
        &["currency"],
        &["merchant"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.chars(HEX, 12),
            iso_ts(r),
            card(r),
            format!("{}.{:02}", r.range(1, 2000), r.below(100)),
            r.pick(&["USD", "EUR", "GBP"]).to_string(),
            r.pick(PRODUCTS).to_string(),
        ]
    });
    (
        vec![("transactions.csv".into(), body)],
        keys_like(
            rng,
            &[
                "transactions/{y}/{m}/part-{n}.csv",
                "card-data/settlement-{y}{m}.csv",
            ],
        ),
        "payments",
    )
}
fn iban_payments(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rows(rng) {
        let (f, l) = (first(rng), last(rng));
        s.push_str(&format!(
            "{{\"payment_id\": \"{}\", \"beneficiary\": \"{f} {l}\", \"iban\": \"{}\", \"bic\": \"{}\", \"amount\": {}.{:02}, \"currency\": \"EUR\", \"reference\": \"INV-{}\"}}\n",
            rng.chars(HEX, 10), iban(rng), rng.pick(&["DEUTDEFF", "BNPAFRPP", "NWBKGB2L"]), rng.range(10, 9000), rng.below(100), rng.digits(6)
        ));
    }
    (
        vec![("payments.jsonl".into(), s)],
        keys_like(rng, &["sepa/outgoing/{y}-{m}/batch-{n}.jsonl"]),
        "payments",
    )
}
fn invoice_text(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let (f, l) = (first(rng), last(rng));
    let s = format!(
        "INVOICE INV-{}\nBill to: {f} {l}\n{}\nDate: {}\n\nConsulting services   ${}.00\nVAT                   ${}.00\nTotal due: ${}.00\n\nPlease pay by bank transfer to IBAN {} (BIC {}).\nPayment terms: 30 days.\n",
        rng.digits(6), street(rng), date(rng, 2022, 2024), rng.range(500, 9000), rng.range(50, 900), rng.range(600, 9999), iban(rng), rng.pick(&["DEUTDEFF", "NWBKGB2L"])
    );
    (
        vec![(format!("invoice-{}.txt", rng.digits(5)), s)],
        keys_like(
            rng,
            &["invoices/{y}/{m}/INV-{n}.txt", "billing/invoices/{n}.pdf"],
        ),
        "billing",
    )
}
fn bank_statement(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let acct = rng.digits(10);
    let routing = rng
        .pick(&["021000021", "026009593", "121000358"])
        .to_string();
    let cols: &[&[&str]] = &[
        &["account", "number"],
        &["routing", "number"],
        &["date"],
        &["description"],
        &["debit"],
        &["credit"],
        &["balance"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            acct.clone(),
            routing.clone(),
            date(r, 2023, 2024),
            r.pick(&[
                "ACH DEPOSIT",
                "POS PURCHASE",
                "WIRE TRANSFER",
                "ATM WITHDRAWAL",
                "CHECK 1042",
            ])
            .to_string(),
            format!("{}.{:02}", r.below(900), r.below(100)),
            format!("{}.{:02}", r.below(900), r.below(100)),
            format!("{}.{:02}", r.range(100, 90000), r.below(100)),
        ]
    });
    (
        vec![("statement.csv".into(), body)],
        keys_like(rng, &["statements/{y}/{m}/acct-{n}.csv"]),
        "banking",
    )
}
fn card_dump(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(5, 40) {
        s.push_str(&format!(
            "{} {}|{}|{:02}/{}|{}\n",
            first(rng),
            last(rng),
            card(rng),
            rng.range(1, 12),
            rng.range(25, 30),
            rng.digits(3)
        ));
    }
    (
        vec![("cards.txt".into(), s)],
        keys_like(rng, &["tmp/{n}.txt", "exports/cards-{y}.txt"]),
        "cards",
    )
}
fn payroll_bank(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["employee", "id"],
        &["full", "name"],
        &["iban"],
        &["net", "pay"],
        &["pay", "date"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!("E{}", r.digits(5)),
            format!("{} {}", first(r), last(r)),
            iban(r),
            format!("{}.{:02}", r.range(1500, 9000), r.below(100)),
            date(r, 2024, 2024),
        ]
    });
    (
        vec![("payroll.csv".into(), body)],
        keys_like(rng, &["payroll/{y}/{m}/run-{n}.csv"]),
        "payroll",
    )
}
fn customers_with_cards(
    rng: &mut SplitMix64,
) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["customer", "id"],
        &["first", "name"],
        &["last", "name"],
        &["email"],
        &["card", "number"],
        &["card", "expiry"],
        &["cvv"],
    ];
    let body = table(rng, cols, 0, |r| {
        let (f, l) = (first(r), last(r));
        vec![
            r.digits(6),
            f.clone(),
            l.clone(),
            email(r, &f, &l),
            card(r),
            format!("{:02}/{}", r.range(1, 12), r.range(25, 30)),
            r.digits(3),
        ]
    });
    (
        vec![("customers_payment.csv".into(), body)],
        keys_like(rng, &["crm/payment-methods/{n}.csv"]),
        "customers",
    )
}
fn ledger(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["entry", "date"],
        &["account"],
        &["description"],
        &["debit"],
        &["credit"],
        &["currency"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            date(r, 2023, 2024),
            format!(
                "{}-{}",
                r.range(1000, 9999),
                r.pick(&["Accounts Receivable", "Cash", "Revenue", "Accounts Payable"])
            ),
            r.pick(&[
                "Invoice payment received",
                "Refund issued",
                "Wire transfer to supplier",
                "Loan repayment",
                "Card settlement",
            ])
            .to_string(),
            format!("USD {}.{:02}", r.below(50000), r.below(100)),
            format!("{}.{:02}", r.below(50000), r.below(100)),
            "USD".to_string(),
        ]
    });
    (
        vec![("general_ledger.csv".into(), body)],
        keys_like(rng, &["finance/ledger/{y}/{m}.csv"]),
        "finance",
    )
}

// ---- health --------------------------------------------------------------------------------

fn patient_records(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let with_names = rng.chance(0.5);
    let cols: Vec<&[&str]> = if with_names {
        vec![
            &["patient", "id"],
            &["name"],
            &["dob"],
            &["admission", "date"],
            &["icd10"],
            &["diagnosis"],
        ]
    } else {
        vec![
            &["mrn"],
            &["encounter", "date"],
            &["icd", "code"],
            &["diagnosis", "description"],
            &["attending"],
        ]
    };
    let body = table(rng, &cols, 0, |r| {
        if with_names {
            vec![
                format!("P{}", r.digits(6)),
                format!("{} {}", first(r), last(r)),
                date(r, 1940, 2010),
                date(r, 2022, 2024),
                icd(r),
                r.pick(CONDITIONS).to_string(),
            ]
        } else {
            vec![
                r.digits(8),
                date(r, 2022, 2024),
                icd(r),
                r.pick(CONDITIONS).to_string(),
                format!("Dr. {}", last(r)),
            ]
        }
    });
    (
        vec![("encounters.csv".into(), body)],
        keys_like(
            rng,
            &[
                "ehr/export/{y}/{m}/encounters-{n}.csv",
                "patients/{n}/record.csv",
            ],
        ),
        "ehr",
    )
}
fn clinical_notes(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(3, 15) {
        s.push_str(&format!(
            "{} year old {} presents with {} for {} days. History of {}. Assessment: {}. Plan: start {} {} mg daily, follow up in {} weeks.\n",
            rng.range(18, 90), rng.pick(&["male", "female", "patient"]), rng.pick(&["cough and fever", "chest pain", "shortness of breath", "abdominal pain", "headache", "fatigue"]), rng.range(1, 14),
            rng.pick(CONDITIONS), rng.pick(CONDITIONS), rng.pick(DRUGS), rng.pick(&["5", "10", "20", "500"]), rng.range(1, 8)
        ));
    }
    (
        vec![("notes.txt".into(), s)],
        keys_like(rng, &["clinical-notes/{y}/{m}/note-{n}.txt"]),
        "clinical",
    )
}
fn lab_results(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rows(rng) {
        s.push_str(&format!(
            "{{\"patient_id\": \"{}\", \"test\": \"{}\", \"value\": {}.{}, \"unit\": \"{}\", \"collected\": \"{}\", \"flag\": \"{}\"}}\n",
            rng.digits(7), rng.pick(LAB_TESTS), rng.range(1, 200), rng.below(10), rng.pick(&["mg/dL", "%", "mmol/L", "U/L"]), iso_ts(rng), rng.pick(&["normal", "high", "low"])
        ));
    }
    (
        vec![("lab_results.jsonl".into(), s)],
        keys_like(rng, &["lab/results/{y}/{m}/batch-{n}.jsonl"]),
        "lab",
    )
}
fn prescriptions(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["rx", "id"],
        &["patient", "id"],
        &["medication"],
        &["dosage"],
        &["prescriber"],
        &["diagnosis"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.digits(8),
            r.digits(6),
            r.pick(DRUGS).to_string(),
            format!(
                "{} mg {}",
                r.pick(&["5", "10", "250", "500"]),
                r.pick(&["once daily", "twice daily", "as needed"])
            ),
            format!("Dr. {}", last(r)),
            r.pick(CONDITIONS).to_string(),
        ]
    });
    (
        vec![("prescriptions.csv".into(), body)],
        keys_like(rng, &["pharmacy/rx/{y}/{m}/{n}.csv"]),
        "pharmacy",
    )
}
fn claims(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["claim", "id"],
        &["member", "id"],
        &["service", "date"],
        &["dx", "code"],
        &["cpt"],
        &["billed"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.chars(HEX, 10),
            r.digits(9),
            date(r, 2023, 2024),
            icd(r),
            r.range(99201, 99499).to_string(),
            format!("{}.00", r.range(80, 4000)),
        ]
    });
    (
        vec![("claims.csv".into(), body)],
        keys_like(rng, &["claims/{y}/{m}/837-{n}.csv"]),
        "claims",
    )
}
fn discharge_summary(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = format!(
        "DISCHARGE SUMMARY\nPatient: {} {}\nAdmitted: {}  Discharged: {}\nPrincipal diagnosis: {} ({})\nSecondary: {}\nHospital course: patient was treated with IV {} and improved. Vitals stable at discharge.\nDischarge medications: {} {} mg, {} {} mg.\nFollow-up with cardiology in 2 weeks.\n",
        first(rng), last(rng), date(rng, 2023, 2024), date(rng, 2023, 2024), rng.pick(CONDITIONS), icd(rng), rng.pick(CONDITIONS), rng.pick(DRUGS), rng.pick(DRUGS), rng.range(5, 500), rng.pick(DRUGS), rng.range(5, 500)
    );
    (
        vec![(format!("discharge-{}.txt", rng.digits(5)), s)],
        keys_like(rng, &["hospital/discharge/{y}/{n}.txt"]),
        "hospital",
    )
}
fn diagnosis_json(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::from("[\n");
    let n = rng.range(3, 30);
    for i in 0..n {
        s.push_str(&format!(
            "  {{\"encounterId\": \"{}\", \"diagnosisCode\": \"{}\", \"diagnosisText\": \"{}\", \"symptoms\": [\"{}\"], \"allergies\": \"{}\"}}{}\n",
            rng.chars(HEX, 8), icd(rng), rng.pick(CONDITIONS), rng.pick(&["fever", "nausea", "cough", "dizziness"]), rng.pick(&["penicillin", "none known", "latex"]), if i + 1 < n { "," } else { "" }
        ));
    }
    s.push_str("]\n");
    (
        vec![("diagnoses.json".into(), s)],
        keys_like(rng, &["fhir/Condition/{n}.json"]),
        "fhir",
    )
}

// ---- personal ------------------------------------------------------------------------------

fn customers(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: Vec<&[&str]> = vec![
        *rng.pick(FIRST_COLS),
        *rng.pick(LAST_COLS),
        *rng.pick(EMAIL_COLS),
        *rng.pick(PHONE_COLS),
        *rng.pick(STREET_COLS),
        &["city"],
        &["zip"],
        &["date", "of", "birth"],
    ];
    let body = table(rng, &cols, 0, |r| {
        let (f, l) = (first(r), last(r));
        vec![
            f.clone(),
            l.clone(),
            email(r, &f, &l),
            phone(r),
            street(r),
            r.pick(CITIES).to_string(),
            r.digits(5),
            date(r, 1940, 2005),
        ]
    });
    (
        vec![("customers.csv".into(), body)],
        keys_like(
            rng,
            &["crm/customers/{y}{m}.csv", "exports/customers-{n}.csv"],
        ),
        "crm",
    )
}
fn user_profiles(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rows(rng) {
        let (f, l) = (first(rng), last(rng));
        s.push_str(&format!(
            "{{\"id\": {}, \"name\": \"{f} {l}\", \"email\": \"{}\", \"phone\": \"{}\", \"address\": {{\"street\": \"{}\", \"city\": \"{}\"}}, \"gender\": \"{}\", \"created_at\": \"{}\"}}\n",
            rng.range(1, 999999), email(rng, &f, &l), phone(rng), street(rng), rng.pick(CITIES), rng.pick(&["female", "male", "nonbinary"]), iso_ts(rng)
        ));
    }
    (
        vec![("profiles.jsonl".into(), s)],
        keys_like(rng, &["users/profiles/{y}/{m}/part-{n}.jsonl"]),
        "users",
    )
}
fn hr_employees(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["employee", "id"],
        &["given", "name"],
        &["surname"],
        &["ssn"],
        &["birth", "date"],
        &["home", "address"],
        &["hire", "date"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!("E{}", r.digits(5)),
            first(r),
            last(r),
            ssn(r),
            date(r, 1955, 2003),
            format!("{}, {} {}", street(r), r.pick(CITIES), r.pick(STATES)),
            date(r, 2010, 2024),
        ]
    });
    (
        vec![("employees.csv".into(), body)],
        keys_like(rng, &["hr/employees/{y}.csv", "people/roster-{n}.csv"]),
        "hr",
    )
}
fn contact_messages(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(5, 30) {
        let (f, l) = (first(rng), last(rng));
        s.push_str(&match rng.below(4) {
            0 => format!(
                "Hi, this is {f} {l}. Please call me back at {}.\n",
                phone(rng)
            ),
            1 => format!(
                "My new address is {}, {}. Thanks, {f}\n",
                street(rng),
                rng.pick(CITIES)
            ),
            2 => format!(
                "From: {} - I'd like to update my email on file. Regards, {f} {l}\n",
                email(rng, &f, &l)
            ),
            _ => format!(
                "{f} {l} (born {}) asked us to change the phone number to {}.\n",
                date(rng, 1950, 2000),
                phone(rng)
            ),
        });
    }
    (
        vec![("messages.txt".into(), s)],
        keys_like(rng, &["support/inbox/{y}/{m}/{n}.txt"]),
        "support",
    )
}
fn newsletter(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[&["email"], &["subscribed", "at"], &["country"]];
    let body = table(rng, cols, 0, |r| {
        let (f, l) = (first(r), last(r));
        vec![email(r, &f, &l), iso_ts(r), r.pick(COUNTRIES).to_string()]
    });
    (
        vec![("subscribers.csv".into(), body)],
        keys_like(rng, &["marketing/lists/subscribers-{n}.csv"]),
        "marketing",
    )
}
fn identity_docs(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["full", "name"],
        &["passport", "number"],
        &["nationality"],
        &["date", "of", "birth"],
        &["expiry"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!("{} {}", first(r), last(r)),
            format!("{}{}", r.chars(b"ABCDEFGHJKLMNPRSTUVWXYZ", 2), r.digits(7)),
            r.pick(COUNTRIES).to_string(),
            date(r, 1950, 2005),
            date(r, 2025, 2034),
        ]
    });
    (
        vec![("kyc.csv".into(), body)],
        keys_like(
            rng,
            &["kyc/uploads/{y}/{n}.csv", "onboarding/identity/{n}.csv"],
        ),
        "kyc",
    )
}
fn crm_notes(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(5, 30) {
        let (f, l) = (first(rng), last(rng));
        s.push_str(&format!(
            "{} - spoke with {f} {l} ({}), {}; lives in {}. Mobile {}.\n",
            date(rng, 2023, 2024),
            email(rng, &f, &l),
            rng.pick(&[
                "interested in renewal",
                "moving house",
                "asked about delivery",
                "married recently"
            ]),
            rng.pick(CITIES),
            phone(rng)
        ));
    }
    (
        vec![("crm_notes.txt".into(), s)],
        keys_like(rng, &["sales/notes/{y}/{m}/{n}.txt"]),
        "sales",
    )
}
fn address_book(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(5, 40) {
        let (f, l) = (first(rng), last(rng));
        s.push_str(&format!(
            "BEGIN:VCARD\nFN:{f} {l}\nTEL:{}\nEMAIL:{}\nADR:{};{}\nBDAY:{}\nEND:VCARD\n",
            phone(rng),
            email(rng, &f, &l),
            street(rng),
            rng.pick(CITIES),
            date(rng, 1950, 2005)
        ));
    }
    (
        vec![("contacts.vcf".into(), s)],
        keys_like(rng, &["backup/phone/contacts-{n}.vcf"]),
        "contacts",
    )
}

/// Names the person-name detector does not list, so the model learns from context too.
const RARE_FIRST: &[&str] = &[
    "Efraim", "Ludmila", "Osvaldo", "Brynja", "Tadeusz", "Wanjiru", "Zdenka", "Ilkka", "Saoirse",
    "Radomir", "Ximena", "Kalani",
];
const RARE_LAST: &[&str] = &[
    "Szczepanski",
    "Oyelaran",
    "Haraldsdottir",
    "Vukovic",
    "Achterberg",
    "Quispe",
    "Tuilagi",
    "Brennecke",
    "Mwangi",
    "Laaksonen",
];
const FOREIGN_STREETS: &[&str] = &[
    "Koskikatu",
    "Hauptstrasse",
    "Rue de la Paix",
    "Calle Mayor",
    "Via Roma",
    "Storgatan",
    "Dalmatinova",
    "Nowy Swiat",
    "Bergvej",
];

fn any_name(rng: &mut SplitMix64) -> String {
    if rng.chance(0.5) {
        format!("{} {}", rng.pick(RARE_FIRST), rng.pick(RARE_LAST))
    } else {
        format!("{} {}", first(rng), last(rng))
    }
}
fn any_address(rng: &mut SplitMix64) -> String {
    if rng.chance(0.5) {
        format!(
            "{} {} Apt. {}, {} {}",
            rng.pick(FOREIGN_STREETS),
            rng.range(1, 99),
            rng.range(1, 900),
            rng.digits(5),
            rng.pick(CITIES)
        )
    } else {
        format!("{}, {} {}", street(rng), rng.pick(CITIES), rng.digits(5))
    }
}
fn delivery_notes(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(3, 25) {
        let name = any_name(rng);
        let addr = any_address(rng);
        s.push_str(&match rng.below(4) {
            0 => format!("Deliver to {name}, {addr}\n"),
            1 => format!("{name}  {addr}\n"),
            2 => format!("Parcel for {name} left with neighbour at {addr}\n"),
            _ => format!("Return address: {addr} ({name})\n"),
        });
    }
    (
        vec![("deliveries.txt".into(), s)],
        keys_like(rng, &["logistics/notes/{y}/{m}/{n}.txt"]),
        "logistics",
    )
}
fn social_posts(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(4, 20) {
        let name = any_name(rng);
        s.push_str(&match rng.below(6) {
            0 => format!("{name} lives at {}\n", any_address(rng)),
            1 => format!("Happy birthday to {name}, {} today!\n", rng.range(18, 90)),
            2 => format!("What's your last name? {}\n", rng.pick(RARE_LAST)),
            3 => format!("I met {name} and {} at the conference.\n", any_name(rng)),
            4 => format!("My name is {name} and I moved to {}.\n", any_address(rng)),
            _ => format!("{}\n", sentence(rng, 10)),
        });
    }
    (
        vec![("posts.txt".into(), s)],
        keys_like(rng, &["forum/export/{y}/{n}.txt"]),
        "forum",
    )
}

// ---- internal ------------------------------------------------------------------------------

fn app_logs(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(20, 150) {
        s.push_str(&format!(
            "{} {} [{}] request_id={} path=/api/{} status={} latency_ms={} host=ip-10-0-{}-{}.ec2.internal\n",
            iso_ts(rng), rng.pick(&["INFO", "INFO", "WARN", "ERROR", "DEBUG"]), rng.pick(SERVICES), rng.chars(HEX, 16), rng.pick(&["orders", "cart", "search", "health"]), rng.pick(&["200", "200", "404", "500", "503"]), rng.range(1, 3000), rng.below(8), rng.range(2, 250)
        ));
    }
    (
        vec![("app.log".into(), s)],
        keys_like(
            rng,
            &["logs/{y}/{m}/app-{n}.log", "elb-logs/{y}/{m}/{n}.log"],
        ),
        "logs",
    )
}
fn server_inventory(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["hostname"],
        &["private", "ip"],
        &["os"],
        &["env"],
        &["owner", "team"],
        &["instance", "type"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!("{}-{:02}.corp", r.pick(SERVICES), r.below(40)),
            format!("10.{}.{}.{}", r.below(255), r.below(255), r.range(1, 254)),
            r.pick(&["ubuntu-22.04", "al2023", "rhel9"]).to_string(),
            r.pick(&["prod", "staging", "dev"]).to_string(),
            r.pick(TEAMS).to_string(),
            r.pick(&["m5.large", "t3.medium", "c6g.xlarge"]).to_string(),
        ]
    });
    (
        vec![("inventory.csv".into(), body)],
        keys_like(rng, &["cmdb/export/{y}{m}.csv", "ops/inventory-{n}.csv"]),
        "ops",
    )
}
fn meeting_notes(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = format!(
        "CONFIDENTIAL - INTERNAL ONLY\n{} planning meeting, {}\nAgenda: Q{} roadmap, headcount, incident review\n- {} migration slips two sprints; risk to the launch\n- Budget for {} approved; vendor contract under review\n- Postmortem for the {} outage due Friday\n- Do not distribute outside the team\n",
        capitalize(*rng.pick(TEAMS)), date(rng, 2024, 2024), rng.range(1, 4), rng.pick(SERVICES), rng.pick(SERVICES), rng.pick(SERVICES)
    );
    (
        vec![(format!("notes-{}.md", rng.digits(4)), s)],
        keys_like(
            rng,
            &["wiki/export/{n}.md", "docs/internal/meetings/{y}-{m}.md"],
        ),
        "wiki",
    )
}
fn config_no_secrets(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = format!(
        "service:\n  name: {}\n  replicas: {}\n  image: registry.corp/{}:{}.{}.{}\n  region: {}\n  log_level: info\nresources:\n  cpu: {}m\n  memory: {}Mi\nfeatures:\n  new_checkout: {}\n  upstream: http://{}.svc.cluster.local:8080\n",
        rng.pick(SERVICES), rng.range(1, 12), rng.pick(SERVICES), rng.below(5), rng.below(20), rng.below(30), rng.pick(&["us-east-1", "eu-central-1"]), rng.range(100, 2000), rng.range(128, 4096), rng.pick(&["true", "false"]), rng.pick(SERVICES)
    );
    (
        vec![(
            rng.pick(&["values.yaml", "deployment.yml", "service.yaml"])
                .to_string(),
            s,
        )],
        keys_like(rng, &["k8s/{n}/values.yaml", "deploy/manifests/{n}.yml"]),
        "deploy",
    )
}
fn service_metrics(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["timestamp"],
        &["service"],
        &["p99", "latency", "ms"],
        &["error", "rate"],
        &["requests"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            iso_ts(r),
            r.pick(SERVICES).to_string(),
            r.range(5, 3000).to_string(),
            format!("0.{:03}", r.below(200)),
            r.range(100, 100000).to_string(),
        ]
    });
    (
        vec![("metrics.csv".into(), body)],
        keys_like(rng, &["metrics/{y}/{m}/{n}.csv"]),
        "metrics",
    )
}
fn ticket_export(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["issue", "key"],
        &["summary"],
        &["status"],
        &["assignee"],
        &["sprint"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!(
                "{}-{}",
                r.pick(&["PLAT", "PAY", "SRE", "WEB"]),
                r.range(1, 9000)
            ),
            format!(
                "{} {} in {}",
                r.pick(&["Fix", "Investigate", "Refactor", "Upgrade"]),
                r.pick(&["timeout", "memory leak", "retry logic", "flaky test"]),
                r.pick(SERVICES)
            ),
            r.pick(&["Open", "In Progress", "Done"]).to_string(),
            format!(
                "{}{}",
                r.pick(&["jdoe", "asmith", "kpatel", "mchen"]),
                r.below(9)
            ),
            format!("Sprint {}", r.range(1, 80)),
        ]
    });
    (
        vec![("jira_export.csv".into(), body)],
        keys_like(rng, &["jira/backup/{y}{m}.csv"]),
        "jira",
    )
}
fn terraform_plan(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::from("{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n");
    let n = rng.range(2, 12);
    for i in 0..n {
        s.push_str(&format!(
            "    {{\"address\": \"aws_instance.{}\", \"type\": \"aws_instance\", \"change\": {{\"actions\": [\"{}\"], \"after\": {{\"instance_type\": \"t3.medium\", \"subnet_id\": \"subnet-{}\", \"private_ip\": \"10.0.{}.{}\"}}}}}}{}\n",
            rng.pick(SERVICES).replace('-', "_"), rng.pick(&["create", "update", "delete"]), rng.chars(HEX, 8), rng.below(255), rng.range(1, 254), if i + 1 < n { "," } else { "" }
        ));
    }
    s.push_str("  ]\n}\n");
    (
        vec![("plan.json".into(), s)],
        keys_like(
            rng,
            &["terraform/plans/{n}.json", "tfstate/env/{n}/plan.json"],
        ),
        "terraform",
    )
}
fn build_log(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(20, 80) {
        s.push_str(&match rng.below(4) {
            0 => format!(
                "[{}] Step {}/12 : RUN make build SERVICE={}\n",
                iso_ts(rng),
                rng.range(1, 12),
                rng.pick(SERVICES)
            ),
            1 => format!(
                "[{}] Pushing registry.corp/{}:{}\n",
                iso_ts(rng),
                rng.pick(SERVICES),
                rng.chars(HEX, 7)
            ),
            2 => format!(
                "[{}] test {}::{} ... ok\n",
                iso_ts(rng),
                rng.pick(SERVICES).replace('-', "_"),
                rng.pick(&["retries", "parse", "timeout"])
            ),
            _ => format!(
                "[{}] WARN deprecated flag --legacy used by pipeline {}\n",
                iso_ts(rng),
                rng.range(100, 9999)
            ),
        });
    }
    (
        vec![("build.log".into(), s)],
        keys_like(rng, &["ci/logs/{y}/{m}/build-{n}.log"]),
        "ci",
    )
}
fn salary_bands(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["level"],
        &["job", "family"],
        &["salary", "min"],
        &["salary", "max"],
        &["bonus", "target"],
    ];
    let body = table(rng, cols, 17, |r| {
        vec![
            format!("L{}", r.range(1, 9)),
            r.pick(&["Engineering", "Sales", "Design", "Support"])
                .to_string(),
            (r.range(40, 150) * 1000).to_string(),
            (r.range(150, 300) * 1000).to_string(),
            format!("{}%", r.range(5, 30)),
        ]
    });
    (
        vec![("comp_bands.csv".into(), body)],
        keys_like(rng, &["hr/comp/{y}/bands.csv"]),
        "hr",
    )
}

fn code_file(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let svc = rng.pick(SERVICES).replace('-', "_");
    let s = if rng.chance(0.5) {
        format!("#!/usr/bin/python\n# Internal helper for the {svc} service.\nimport os\n\nDB_PASSWORD = os.environ[\"DB_PASSWORD\"]\nTIMEOUT = {}\nREGULAR_VALUE = 'this is just a long string, like a user facing error message'\n\n\ndef main():\n    print('retrying {svc} in', TIMEOUT)\n\n\nif __name__ == '__main__':\n    main()\n", rng.range(1, 60))
    } else {
        format!("// {svc} client; see runbook\nconst retries = {};\nconst apiVersion = '2023-0{}-01';\nconst password = process.env.SVC_PASSWORD;\nfunction call(path) {{\n  return fetch(`http://{svc}.svc.cluster.local${{path}}`);\n}}\nmodule.exports = {{ call }};\n", rng.range(1, 9), rng.range(1, 9))
    };
    (
        vec![(
            rng.pick(&["main.py", "client.js", "util.py", "handler.js"])
                .to_string(),
            s,
        )],
        keys_like(rng, &["src/{n}/main.py", "lambda/{n}/handler.js"]),
        "code",
    )
}

// ---- public --------------------------------------------------------------------------------

fn measurements(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["id"],
        &["length", "cm"],
        &["width", "cm"],
        &["height", "cm"],
        &["weight", "g"],
        &["species"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.range(1, 500).to_string(),
            format!("{}.{}", r.range(1, 9), r.below(10)),
            format!("{}.{}", r.range(1, 9), r.below(10)),
            format!("{}.{}", r.below(9), r.below(10)),
            r.range(10, 900).to_string(),
            r.pick(SPECIES).to_string(),
        ]
    });
    (
        vec![("measurements.csv".into(), body)],
        keys_like(
            rng,
            &["datasets/{n}/measurements.csv", "public/data/{n}.csv"],
        ),
        "datasets",
    )
}
fn weather(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["date"],
        &["station"],
        &["temp", "max"],
        &["temp", "min"],
        &["precip", "mm"],
        &["wind", "kmh"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            date(r, 2000, 2024),
            r.pick(CITIES).to_string(),
            r.range(0, 40).to_string(),
            r.range(0, 20).to_string(),
            format!("{}.{}", r.below(50), r.below(10)),
            r.below(90).to_string(),
        ]
    });
    (
        vec![("weather.csv".into(), body)],
        keys_like(rng, &["open-data/weather/{y}/{m}.csv"]),
        "opendata",
    )
}
fn sports(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["season"],
        &["team"],
        &["wins"],
        &["losses"],
        &["points"],
        &["rank"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.range(1990, 2024).to_string(),
            format!(
                "{} {}",
                r.pick(CITIES),
                r.pick(&["Rovers", "United", "Tigers", "Comets"])
            ),
            r.below(40).to_string(),
            r.below(40).to_string(),
            r.below(100).to_string(),
            r.range(1, 20).to_string(),
        ]
    });
    (
        vec![("standings.csv".into(), body)],
        keys_like(rng, &["stats/{y}/standings.csv"]),
        "stats",
    )
}
fn product_catalog(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["sku"],
        &["product", "name"],
        &["category"],
        &["price"],
        &["in", "stock"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!("SKU-{}", r.digits(6)),
            r.pick(PRODUCTS).to_string(),
            r.pick(&["home", "outdoor", "office", "travel"]).to_string(),
            format!("${}.{}9", r.range(3, 200), r.below(10)),
            r.pick(&["yes", "no"]).to_string(),
        ]
    });
    (
        vec![("catalog.csv".into(), body)],
        keys_like(
            rng,
            &["public/catalog/{n}.csv", "static/feeds/products.csv"],
        ),
        "catalog",
    )
}
fn geo_population(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["city"],
        &["state"],
        &["zip"],
        &["latitude"],
        &["longitude"],
        &["population"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.pick(CITIES).to_string(),
            r.pick(STATES).to_string(),
            r.digits(5),
            format!("{}.{}", r.range(25, 48), r.digits(4)),
            format!("-{}.{}", r.range(70, 122), r.digits(4)),
            r.range(1000, 900000).to_string(),
        ]
    });
    (
        vec![("places.csv".into(), body)],
        keys_like(rng, &["census/{y}/places.csv"]),
        "census",
    )
}
fn readme(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = format!(
        "# {}\n\n{}\n\n## Installation\n\n```\npip install {}\n```\n\n## Usage\n\n{}\n\nSee the [documentation](https://docs.example.org) for more. Licensed under the MIT License.\n",
        capitalize(*rng.pick(WORDS)), sentence(rng, 14), rng.pick(WORDS), sentence(rng, 20)
    );
    (
        vec![("README.md".into(), s)],
        keys_like(
            rng,
            &[
                "docs/{n}/README.md",
                "site/index.html",
                "assets/css/main.css",
            ],
        ),
        "docs",
    )
}
fn blog(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::new();
    for _ in 0..rng.range(3, 20) {
        let n = rng.range(8, 25);
        s.push_str(&sentence(rng, n));
        s.push('\n');
    }
    (
        vec![("post.txt".into(), s)],
        keys_like(rng, &["blog/{y}/{m}/post-{n}.html", "images/{n}.jpg"]),
        "blog",
    )
}
fn html_page(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let s = format!(
        "<!doctype html>\n<html><head><title>{}</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head>\n<body><h1>{}</h1>\n<p>{}</p>\n<p>{}</p>\n</body></html>\n",
        capitalize(*rng.pick(WORDS)), capitalize(*rng.pick(WORDS)), sentence(rng, 20), sentence(rng, 15)
    );
    (
        vec![("index.html".into(), s)],
        keys_like(
            rng,
            &["www/index.html", "static/js/app-{n}.js", "img/logo.png"],
        ),
        "www",
    )
}
fn countries_json(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::from("[\n");
    let n = rng.range(3, COUNTRIES.len());
    for (i, c) in COUNTRIES.iter().take(n).enumerate() {
        s.push_str(&format!("  {{\"name\": \"{c}\", \"capital\": \"{}\", \"population\": {}, \"area_km2\": {}}}{}\n", rng.pick(CITIES), rng.range(100000, 90000000), rng.range(1000, 900000), if i + 1 < n { "," } else { "" }));
    }
    s.push_str("]\n");
    (
        vec![("countries.json".into(), s)],
        keys_like(rng, &["api/v1/countries.json", "public/data/{n}.json"]),
        "public",
    )
}
fn changelog(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let mut s = String::from("# Changelog\n\n");
    for _ in 0..rng.range(3, 12) {
        s.push_str(&format!(
            "## v{}.{}.{} ({})\n- {} ({})\n\n",
            rng.below(4),
            rng.below(20),
            rng.below(10),
            date(rng, 2020, 2024),
            sentence(rng, 8),
            rng.chars(HEX, 40)
        ));
    }
    (
        vec![("CHANGELOG.md".into(), s)],
        keys_like(rng, &["releases/{n}/CHANGELOG.md", "dist/app-{n}.tar.gz"]),
        "releases",
    )
}
fn schools(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["institution"],
        &["city"],
        &["url"],
        &["students"],
        &["founded"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            format!(
                "{} {}",
                r.pick(CITIES),
                r.pick(&["University", "College", "Institute of Technology"])
            ),
            r.pick(CITIES).to_string(),
            format!("www.{}.edu/admissions", r.pick(WORDS)),
            r.range(500, 60000).to_string(),
            r.range(1800, 2000).to_string(),
        ]
    });
    (
        vec![("institutions.csv".into(), body)],
        keys_like(rng, &["education/{y}/institutions.csv"]),
        "education",
    )
}
fn flights(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let cols: &[&[&str]] = &[
        &["flight"],
        &["airline"],
        &["departure", "delay"],
        &["distance"],
        &["date"],
    ];
    let body = table(rng, cols, 0, |r| {
        vec![
            r.digits(4),
            r.pick(&["UA", "B6", "DL", "AA", "WN"]).to_string(),
            format!("{}.0", r.below(120)),
            r.range(100, 3000).to_string(),
            date(r, 2015, 2015),
        ]
    });
    (
        vec![("flights.csv".into(), body)],
        keys_like(rng, &["transport/flights/{y}/{m}.csv"]),
        "transport",
    )
}

fn short_snippet(rng: &mut SplitMix64) -> (Vec<(String, String)>, Vec<String>, &'static str) {
    let options = [
        "print('Hello world!')".to_string(),
        format!(
            "version = \"{}.{}.{}\"",
            rng.below(5),
            rng.below(20),
            rng.below(10)
        ),
        format!("name: {}-{}", rng.pick(WORDS), rng.pick(WORDS)),
        format!("# {}", sentence(rng, 6)),
        "license = \"MIT\"".to_string(),
        format!("homepage: https://{}.example.org", rng.pick(WORDS)),
        "TODO: write docs".to_string(),
        format!("description = \"{}\"", sentence(rng, 8)),
        "Is this the real life? Is this just fantasy?".to_string(),
        format!(
            "{{\"count\": {}, \"page\": {}}}",
            rng.below(500),
            rng.below(20)
        ),
    ];
    let n = rng.range(1, 5);
    let lines: Vec<String> = (0..n).map(|_| rng.pick(&options).clone()).collect();
    let name = rng
        .pick(&[
            "setup.cfg",
            "pyproject.toml",
            "notes.txt",
            "index.md",
            "Cargo.toml",
            "package.json",
        ])
        .to_string();
    (
        vec![(name, lines.join("\n") + "\n")],
        keys_like(rng, &["docs/{n}.md", "site/{n}/index.html"]),
        "docs",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_balanced() {
        let a = generate(42, 12);
        let b = generate(42, 12);
        assert_eq!(a.len(), 72);
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.name == y.name && x.samples == y.samples && x.keys == y.keys));
        for l in Label::TRAINED {
            assert_eq!(a.iter().filter(|d| d.label == l).count(), 12);
        }
    }

    #[test]
    fn generated_values_validate() {
        let mut rng = SplitMix64::new(1);
        for _ in 0..50 {
            let c: Vec<u8> = card(&mut rng).bytes().filter(u8::is_ascii_digit).collect();
            assert!(crate::classify::detectors::luhn_valid(&c));
            let i = iban(&mut rng);
            assert!(
                crate::classify::detectors::iban::iban_valid(i.as_bytes()),
                "{i}"
            );
        }
    }
}

//! `medical_terms`: words of medicine in text — conditions, symptoms, drugs, procedures and
//! care settings (`diagnosis`, `hypertension`, `metformin`, `biopsy`, `inpatient`, …), plus
//! words built on clinical suffixes (`-itis`, `-osis`, `-emia`, `-oma`, `-pathy`, `-ectomy`,
//! `-algia`, …) so that `salmonellosis` and `cholecystectomy` count without being listed.
//!
//! Why it matters: clinical notes, lab results and claims are health data whether or not a
//! diagnosis code is present; the words are what they have in common.
//!
//! Example: `Patient presents with acute bronchitis` has 4 hits.

use super::{Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct MedicalTerms;

pub const TERMS: &[&str] = &[
    "patient",
    "patients",
    "diagnosis",
    "diagnosed",
    "diagnoses",
    "symptom",
    "symptoms",
    "disease",
    "disorder",
    "syndrome",
    "chronic",
    "acute",
    "fever",
    "infection",
    "infections",
    "fracture",
    "diabetes",
    "diabetic",
    "hypertension",
    "asthma",
    "cancer",
    "tumor",
    "tumour",
    "malignant",
    "benign",
    "lesion",
    "pain",
    "nausea",
    "vomiting",
    "cough",
    "dyspnea",
    "fatigue",
    "prescribed",
    "prescription",
    "medication",
    "medications",
    "dose",
    "dosage",
    "mg",
    "ml",
    "tablet",
    "tablets",
    "capsule",
    "injection",
    "insulin",
    "metformin",
    "lisinopril",
    "atorvastatin",
    "amoxicillin",
    "ibuprofen",
    "paracetamol",
    "acetaminophen",
    "omeprazole",
    "warfarin",
    "allergy",
    "allergies",
    "allergic",
    "therapy",
    "treatment",
    "surgery",
    "surgical",
    "biopsy",
    "clinic",
    "clinical",
    "hospital",
    "admitted",
    "admission",
    "discharge",
    "discharged",
    "inpatient",
    "outpatient",
    "icu",
    "physician",
    "nurse",
    "oncology",
    "cardiology",
    "radiology",
    "pathology",
    "mri",
    "ct",
    "xray",
    "ultrasound",
    "hba",
    "cholesterol",
    "glucose",
    "hemoglobin",
    "blood",
    "pressure",
    "bmi",
    "pregnancy",
    "pregnant",
    "prenatal",
    "vaccine",
    "vaccination",
    "immunization",
    "hiv",
    "hepatitis",
    "covid",
    "influenza",
    "pneumonia",
    "stroke",
    "seizure",
    "epilepsy",
    "depression",
    "anxiety",
    "schizophrenia",
    "bipolar",
    "dementia",
    "alzheimer",
    "parkinson",
    "obesity",
    "cholera",
    "typhoid",
    "tuberculosis",
    "malaria",
    "infectious",
    "congenital",
    "neoplasm",
    "neoplasms",
    "injury",
    "wound",
    "poisoning",
    "complications",
    "complication",
    "unspecified",
    "mellitus",
    "renal",
    "hepatic",
    "cardiac",
    "pulmonary",
    "respiratory",
    "gastrointestinal",
    "vitals",
    "pulse",
    "temperature",
    "referral",
    "prognosis",
    "remission",
    "relapse",
    "chemotherapy",
    "diagnostic",
    "lab",
    "labs",
    "specimen",
    "mrn",
    "icd",
    "cpt",
    "ehr",
    "emr",
    "hipaa",
    "medical",
    "health",
    "healthcare",
    "sepsis",
    "abscess",
    "ulcer",
    "hernia",
    "cyst",
    "edema",
    "anemia",
    "migraine",
    "rash",
    "dermatitis",
    "fibrillation",
    "angina",
    "infarction",
    "embolism",
    "thrombosis",
    "stenosis",
    "insufficiency",
    "failure",
    "transplant",
    "dialysis",
];

const SUFFIXES: &[&str] = &[
    "itis",
    "osis",
    "oses",
    "emia",
    "aemia",
    "oma",
    "omas",
    "pathy",
    "ectomy",
    "otomy",
    "ostomy",
    "algia",
    "plegia",
    "plasty",
    "scopy",
    "trophy",
    "uria",
    "rrhea",
    "rrhoea",
    "cardia",
    "penia",
    "megaly",
    "sclerosis",
    "plasia",
];

/// Long words built on a clinical suffix (`gastroenteritis`, `nephropathy`).
pub fn has_medical_suffix(lower_word: &str) -> bool {
    lower_word.len() >= 8 && SUFFIXES.iter().any(|s| lower_word.ends_with(s))
}

impl Detector for MedicalTerms {
    fn name(&self) -> &'static str {
        "medical_terms"
    }
    fn indicates(&self) -> Label {
        Label::Health
    }
    fn scan(&self, _field: &Field<'_>, facts: &FieldFacts) -> u32 {
        facts.words.get(WordClass::Medical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: u32) {
        let f = Field {
            key: None,
            value: input,
        };
        assert_eq!(
            MedicalTerms.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn terms() {
        check("Patient presents with acute bronchitis", 3);
        check("Localized salmonella infection, unspecified", 2);
        check("salmonellosis", 1);
        check("the flight was delayed", 0);
    }
}

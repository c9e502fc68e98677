//! Criterion bench `classify`: throughput of profiling + labelling sample text (bytes of
//! sample per second, one core). The corpus mixes the shapes the classifier sees: a people
//! table with card numbers and e-mails, application logs, a config with secrets, prose, and a
//! numeric open-data table — 4 MB in all, read whole (the byte cap is raised above it).

/// The binary's allocator (`src/main.rs`), so the stages are timed as `leakpath` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakpath::classify::{classify_dataset_with, ClassifyOptions, Sample, SensitivityModel};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut people =
        String::from("id,first_name,last_name,email,phone,street_address,card_number,notes\n");
    let mut logs = String::new();
    let mut prose = String::new();
    let mut numbers = String::from("date,station,temp_max,temp_min,precip_mm,wind_kmh\n");
    let mut config = String::new();
    let mut i: u64 = 0;
    while people.len() < 1_200_000 {
        i += 1;
        people.push_str(&format!(
            "{i},Maria,Garcia,maria.garcia{i}@example.com,(555) 123-{:04},{} Maple Street,4111 1111 1111 1111,called about order {i}\n",
            i % 10_000,
            i % 9000
        ));
    }
    while logs.len() < 1_200_000 {
        i += 1;
        logs.push_str(&format!(
            "2024-03-01T12:{:02}:{:02}Z INFO [checkout] request_id={i:016x} path=/api/orders status=200 latency_ms={} host=ip-10-0-1-23.ec2.internal\n",
            i % 60,
            (i * 7) % 60,
            i % 900
        ));
    }
    while prose.len() < 1_000_000 {
        prose.push_str("The library opens its new reading garden on Saturday; admission is free and the garden is open daily from nine to six.\n");
    }
    while numbers.len() < 500_000 {
        i += 1;
        numbers.push_str(&format!(
            "2015-10-{:02},Springfield,{},{},{}.{},{}\n",
            1 + i % 28,
            i % 40,
            i % 20,
            i % 50,
            i % 10,
            i % 90
        ));
    }
    for k in 0..2000 {
        config.push_str(&format!("DB_PASSWORD_{k}=s3cr3t-{k}\nAPI_TOKEN_{k}=ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R\nPORT_{k}=8080\n"));
    }
    vec![
        ("people.csv".into(), people.into_bytes()),
        ("app.log".into(), logs.into_bytes()),
        ("about.txt".into(), prose.into_bytes()),
        ("weather.csv".into(), numbers.into_bytes()),
        ("app.env".into(), config.into_bytes()),
    ]
}

fn bench(c: &mut Criterion) {
    let Ok(model) = SensitivityModel::embedded() else {
        eprintln!("embedded model failed to load");
        return;
    };
    let files = corpus();
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let options = ClassifyOptions {
        sample_byte_cap: 64 << 20,
        max_samples: 64,
    };
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    group.bench_function("mixed_4mb", |b| {
        b.iter(|| {
            let samples = files
                .iter()
                .map(|(n, body)| Sample::new(n.clone(), std::io::Cursor::new(body.clone())));
            classify_dataset_with(samples, &[], "bench", model, &options)
        })
    });
    // The cap at work: a 64 MB sample with the default 1 MiB cap costs what 1 MiB costs.
    let huge = vec![b'a'; 64 << 20];
    group.throughput(Throughput::Bytes(
        ClassifyOptions::default().sample_byte_cap,
    ));
    group.bench_function("capped_64mb_sample", |b| {
        b.iter(|| {
            let samples =
                std::iter::once(Sample::new("huge.txt", std::io::Cursor::new(huge.clone())));
            classify_dataset_with(samples, &[], "bench", model, &ClassifyOptions::default())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

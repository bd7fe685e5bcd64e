//! Scale of the reference server: memory with N seeded users, and the latency of Okta's two
//! hot requests (a `userName eq` lookup and a page of 100) over loopback HTTP.
//!
//! `cargo bench -p refserver --bench scale` (users: `SCALE_USERS`, default 100000). Prints the
//! process's peak resident memory after seeding, and the median and p99 of 1000 requests each;
//! then walks of sorted and of filtered pages (every page of the same list, as an import does):
//! the first page, which gathers and sorts the list, and the median of the pages after it,
//! which are cut from the kept list.

use std::time::{Duration, Instant};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(client: &reqwest::Client, urls: &[String]) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(urls.len());
    for url in urls {
        let started = Instant::now();
        let resp = client
            .get(url)
            .bearer_auth("bench")
            .send()
            .await
            .expect("request");
        assert!(resp.status().is_success(), "{url}: {}", resp.status());
        resp.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn main() {
    let users: usize = std::env::var("SCALE_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let before = peak_rss_mb();
        let started = Instant::now();
        let server = refserver::start(refserver::ServerConfig {
            auth: refserver::Auth {
                token: Some("bench".into()),
                basic: None,
            },
            seed_users: users,
            seed_groups: users / 100,
            ..refserver::ServerConfig::default()
        })
        .await
        .unwrap();
        let seeded_in = started.elapsed();
        let after = peak_rss_mb();
        let base = server.base_url().to_string();
        let client = reqwest::Client::new();
        let lookups: Vec<String> = (0..1000)
            .map(|i| {
                let i = (i * 97) % users;
                // The seed's userName pattern, upper-cased: the lookup must be case-insensitive.
                let probe = refserver::seed_user_name(i).to_uppercase();
                format!(
                    "{base}/Users?filter=userName%20eq%20%22{}%22&startIndex=1&count=100",
                    probe.replace('@', "%40")
                )
            })
            .collect();
        let pages: Vec<String> = (0..1000)
            .map(|i| {
                format!(
                    "{base}/Users?startIndex={}&count=100",
                    1 + (i * 100) % users.max(1)
                )
            })
            .collect();
        let (lookup_median, lookup_p99) = measure(&client, &lookups).await;
        let (page_median, page_p99) = measure(&client, &pages).await;
        println!("users: {users}, groups: {}", users / 100);
        println!(
            "seeding: {:.2} s; peak RSS: {after:.1} MB (before seeding {before:.1} MB)",
            seeded_in.as_secs_f64()
        );
        println!(
            "userName eq lookup: median {:?}, p99 {:?}",
            lookup_median, lookup_p99
        );
        println!(
            "page of 100:        median {:?}, p99 {:?}",
            page_median, page_p99
        );
        for (what, query) in [
            ("sorted by userName", "sortBy=userName&sortOrder=descending"),
            ("filtered (active eq true)", "filter=active%20eq%20true"),
        ] {
            let walk: Vec<String> = (0..users.div_ceil(100).min(200))
                .map(|i| format!("{base}/Users?{query}&startIndex={}&count=100", 1 + i * 100))
                .collect();
            let (first, _) = measure(&client, &walk[..1]).await;
            let (rest, rest_p99) = measure(&client, &walk[1..]).await;
            println!(
                "{what}: first page {first:?}, next {} pages median {rest:?}, p99 {rest_p99:?}",
                walk.len() - 1
            );
        }
        server.stop().await;
    });
}

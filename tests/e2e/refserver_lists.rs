//! The reference server's filtered and sorted lists are kept between pages (a walk costs one
//! scan and one sort), and a change to the data is seen by the next page at once: a kept list
//! never serves a deleted user or hides a new one.

use serde_json::{Value, json};

use crate::support::{TOKEN, server};

async fn get(http: &reqwest::Client, url: &str) -> Value {
    http.get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn user_names(page: &Value) -> Vec<String> {
    page["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_kept_list_follows_every_change() {
    let app = server(&[], 0).await;
    let http = reqwest::Client::new();
    let users = format!("{}/Users", app.base_url());
    let create = |name: &str| {
        http.post(&users)
            .bearer_auth(TOKEN)
            .json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name}))
            .send()
    };
    for name in ["c@x", "a@x", "b@x"] {
        assert_eq!(create(name).await.unwrap().status(), 201);
    }
    let sorted = format!("{users}?sortBy=userName&filter=userName%20ew%20%22%40x%22&count=2");
    let first = get(&http, &format!("{sorted}&startIndex=1")).await;
    assert_eq!(user_names(&first), ["a@x", "b@x"]);
    assert_eq!(
        get(&http, &format!("{sorted}&startIndex=3")).await["totalResults"],
        3
    );
    // A new user sorts first: the next page asked for sees it.
    let created: Value = create("0@x").await.unwrap().json().await.unwrap();
    assert_eq!(
        user_names(&get(&http, &format!("{sorted}&startIndex=1")).await),
        ["0@x", "a@x"]
    );
    // Deleted: gone from the kept list's pages at once.
    let id = created["id"].as_str().unwrap();
    let deleted = http
        .delete(format!("{users}/{id}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let page = get(&http, &format!("{sorted}&startIndex=1")).await;
    assert_eq!(user_names(&page), ["a@x", "b@x"]);
    assert_eq!(page["totalResults"], 3);
    app.stop().await;
}

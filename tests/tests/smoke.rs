//! The site loads in headless Chromium and draws the cluster.

use e2e::Session;

#[tokio::test]
async fn the_page_shows_five_nodes_with_their_hooks() {
    let session = Session::start(1280, 900).await;
    session.open("/").await;
    let nodes = session.wait_for_count("[data-testid=node]", 5).await;
    for (i, node) in nodes.iter().enumerate() {
        let id = node.attr("data-node-id").await.unwrap();
        assert_eq!(id.as_deref(), Some((i + 1).to_string().as_str()));
        let role = node.attr("data-role").await.unwrap().unwrap();
        assert!(
            ["follower", "precandidate", "candidate", "leader", "crashed"].contains(&role.as_str()),
            "unexpected role {role}"
        );
        assert!(node.attr("data-term").await.unwrap().is_some());
    }
    session.wait_for_count("[data-testid=sim-time]", 1).await;
    let shot = session.screenshot("smoke-desktop").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);
    session.close().await;
}

#[tokio::test]
async fn the_page_fits_a_phone() {
    let session = Session::start(390, 844).await;
    session.open("/").await;
    session.wait_for_count("[data-testid=node]", 5).await;
    let overflow = session
        .client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_f64().unwrap() <= 0.0,
        "page scrolls sideways by {overflow}"
    );
    // Headless Chromium keeps windows at least 500 px wide; the harness
    // emulates the phone's viewport, and this proves it did.
    let width = session
        .client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(width.as_f64(), Some(390.0), "the viewport is a phone's");
    session.screenshot("smoke-phone").await;
    session.close().await;
}

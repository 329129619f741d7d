//! The Trunk entry point: mount the app on the page body.

fn main() {
    web::start();
}

//! Each format that names a container's image literally puts it in the
//! model (`Container.image`), at the place it is written; an image only a
//! variable or template gives is not known.

use std::path::PathBuf;

use seccheck::formats;
use seccheck::read::Reader;
use seccheck::source::Source;

fn images(name: &str, text: &str) -> Vec<Option<(String, String)>> {
    let path = PathBuf::from("/nonexistent/images").join(name);
    let source = Source::new(&path, text);
    let kind = formats::classify(&path).unwrap();
    let reader = Reader::new(&[PathBuf::from("/nonexistent/images")], 1 << 20);
    let parsed = formats::parse(kind, &source, &reader);
    parsed
        .containers
        .iter()
        .map(|c| {
            c.image
                .as_ref()
                .map(|i| (i.value.clone(), i.at.text().to_string()))
        })
        .collect()
}

fn known(image: &str, written: &str) -> Option<(String, String)> {
    Some((image.to_string(), written.to_string()))
}

#[test]
fn images_where_written() {
    assert_eq!(
        images(
            "compose.yaml",
            "services:\n  a:\n    image: \"nginx:1.27\"\n  b:\n    build: .\n"
        ),
        [known("nginx:1.27", "nginx:1.27"), None]
    );
    assert_eq!(
        images(
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: busybox\n  - name: b\n"
        ),
        [known("busybox", "busybox"), None]
    );
    assert_eq!(
        images(
            "run.sh",
            "docker run --rm -it 'alpine:3' sh\ndocker run --privileged \"$IMAGE\"\n"
        ),
        [known("alpine:3", "alpine:3"), None]
    );
    assert_eq!(
        images(
            "main.tf",
            "resource \"docker_container\" \"x\" {\n  name  = \"x\"\n  image = \"redis:7\"\n}\n"
        ),
        [known("redis:7", "redis:7")]
    );
    assert_eq!(
        images(
            "web.container",
            "[Container]\nImage=docker.io/library/httpd\n"
        ),
        [known("docker.io/library/httpd", "docker.io/library/httpd")]
    );
    assert_eq!(
        images(
            ".devcontainer/devcontainer.json",
            "{ \"image\": \"mcr.microsoft.com/devcontainers/base\" }"
        ),
        [known(
            "mcr.microsoft.com/devcontainers/base",
            "mcr.microsoft.com/devcontainers/base"
        )]
    );
    assert_eq!(
        images(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: node:20\n    services:\n      db:\n        image: ${{ matrix.db }}\n"
        ),
        [known("node:20", "node:20"), None]
    );
}

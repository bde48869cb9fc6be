//! `onus render` in a real browser: headless Chromium opens every example's
//! HTML page and SVG diagram (written by the real binary), the test reads the
//! rendered DOM, measures the laid-out text with the browser's own fonts
//! (nothing cut, nothing overflowing its cell) and saves PNG screenshots
//! under `target/screenshots/` for people to look at.
//!
//! Chromium is required: without it this test fails, it does not skip
//! (`.ci/run` installs Debian's `chromium`). `ONUS_CHROMIUM` names another
//! binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
];

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("ONUS_CHROMIUM") {
        return PathBuf::from(p);
    }
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "headless Chromium is required for the browser test and was not found (CI={}). \
         Install it with `apt-get install -y chromium chromium-driver`, or set ONUS_CHROMIUM.",
        std::env::var("CI").unwrap_or_default()
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `target/screenshots/`, next to the test's scratch folder.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".onus.yaml")?.to_string())
        })
        .collect();
    names.sort();
    assert!(names.len() >= 5, "the examples: {names:?}");
    names
}

/// Runs `onus render` and returns the file it wrote.
fn render(name: &str, to: &str, ext: &str) -> PathBuf {
    let out = out_dir().join(format!("{name}.{ext}"));
    let status = Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(["render", "--to", to, "-o"])
        .arg(&out)
        .arg(root().join("examples").join(format!("{name}.onus.yaml")))
        .status()
        .unwrap();
    assert!(status.success(), "onus render {name} --to {to} failed");
    out
}

/// Runs Chromium on `file` with `args`, in a fresh profile, and returns its stdout.
fn browse(file: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", file.canonicalize().unwrap().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium().display()));
    // Read stdout as it comes: a DOM larger than the pipe's buffer would
    // otherwise block Chromium while we wait for it to exit.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("Chromium did not finish with {} in 120 s", file.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "Chromium failed on {}", file.display());
    let out = reader.join().unwrap().unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn screenshot(file: &Path, png: &Path, width: u32, height: u32) {
    let _ = std::fs::remove_file(png);
    browse(
        file,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={width},{height}"),
        ],
    );
    let bytes = std::fs::read(png).unwrap_or_else(|_| panic!("no screenshot {}", png.display()));
    assert!(
        bytes.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        png.display()
    );
}

/// What the probe script finds in the laid-out page: text that does not fit
/// its box, measured by the browser with the fonts it really used.
const PROBE: &str = r##"<script>
(function () {
  var r = { overflowing: [], svgOverflowing: [], pageWidth: 0, pageHeight: 0, h1: "", tables: 0, checkboxes: 0, svgCells: 0, fonts: [] };
  var cut = function (el) { return el.scrollWidth > el.clientWidth + 1; };
  document.querySelectorAll("th, td, li, legend, label, p, h1, h2, h3, caption").forEach(function (el) {
    if (el.clientWidth > 0 && cut(el)) r.overflowing.push(el.tagName + ": " + el.textContent.trim().slice(0, 80));
  });
  document.querySelectorAll("svg g.box").forEach(function (g) {
    var rect = g.querySelector("rect").getBBox();
    g.querySelectorAll("text").forEach(function (t) {
      var b = t.getBBox();
      if (b.x < rect.x - 0.5 || b.x + b.width > rect.x + rect.width + 0.5 || b.y < rect.y - 0.5 || b.y + b.height > rect.y + rect.height + 0.5)
        r.svgOverflowing.push(t.textContent + " [" + [b.x, b.y, b.width, b.height].map(Math.round) + "] in [" + [rect.x, rect.y, rect.width, rect.height].map(Math.round) + "]");
    });
  });
  r.pageWidth = document.documentElement.scrollWidth;
  r.pageHeight = document.documentElement.scrollHeight;
  var h1 = document.querySelector("h1"); r.h1 = h1 ? h1.textContent : "";
  r.tables = document.querySelectorAll("table").length;
  r.checkboxes = document.querySelectorAll("#checklist input[type=checkbox]").length;
  r.svgCells = document.querySelectorAll("svg g.cell").length;
  var pre = document.createElement("pre");
  pre.id = "onus-probe";
  pre.textContent = encodeURIComponent(JSON.stringify(r));
  document.body.appendChild(pre);
})();
</script>
"##;

/// Loads `page` (HTML) with the probe script added, and returns what it found.
fn probe(page: &Path, width: u32) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    // The page forbids scripts (rightly); the probe copy allows its own.
    let without_csp: String = html
        .lines()
        .filter(|l| !l.contains("Content-Security-Policy"))
        .collect::<Vec<_>>()
        .join("\n");
    let probed = page.with_extension("probe.html");
    std::fs::write(
        &probed,
        without_csp.replace("</body>", &format!("{PROBE}</body>")),
    )
    .unwrap();
    let dom = browse(
        &probed,
        &[
            "--dump-dom".to_string(),
            "--virtual-time-budget=5000".to_string(),
            format!("--window-size={width},1000"),
        ],
    );
    let start = dom.find("<pre id=\"onus-probe\">").expect("the probe ran")
        + "<pre id=\"onus-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    serde_json::from_str(&percent_decode(&dom[start..end])).unwrap()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn html_pages_render_cleanly_in_chromium() {
    for name in examples() {
        let page = render(&name, "html", "html");
        let found = probe(&page, 1280);
        let overflowing = list(&found["overflowing"]);
        assert!(
            overflowing.is_empty(),
            "{name}: text cut or overflowing: {overflowing:#?}"
        );
        let svg = list(&found["svgOverflowing"]);
        assert!(
            svg.is_empty(),
            "{name}: diagram text outside its cell: {svg:#?}"
        );
        assert!(
            found["pageWidth"].as_u64().unwrap() <= 1280,
            "{name}: the page scrolls sideways at 1280 px ({})",
            found["pageWidth"]
        );
        assert!(!found["h1"].as_str().unwrap().is_empty(), "{name}: no h1");
        assert!(found["tables"].as_u64().unwrap() >= 3, "{name}: tables");
        assert!(
            found["svgCells"].as_u64().unwrap() > 0,
            "{name}: the diagram is in the page"
        );

        // The page as shipped (no probe): the DOM Chromium built from it.
        let dom = browse(&page, &["--dump-dom".to_string()]);
        assert!(
            dom.contains("<h2 id=\"matrix-h\">Who holds what</h2>"),
            "{name}"
        );
        assert!(
            dom.contains("<h2 id=\"checklist-h\">Customer checklist</h2>"),
            "{name}"
        );
        assert!(!dom.contains("onus-probe"));

        let height = found["pageHeight"].as_u64().unwrap().clamp(600, 16_000) as u32;
        screenshot(
            &page,
            &out_dir().join(format!("{name}-page.png")),
            1280,
            height,
        );
        // A narrow (phone-sized) view of the top of the page.
        let narrow = probe(&page, 420);
        let cut = list(&narrow["overflowing"]);
        assert!(cut.is_empty(), "{name}: text cut at 420 px: {cut:#?}");
        screenshot(
            &page,
            &out_dir().join(format!("{name}-page-narrow.png")),
            420,
            1400,
        );
    }
}

#[test]
fn svg_diagrams_render_cleanly_in_chromium() {
    for name in examples() {
        let svg = render(&name, "svg", "svg");
        let text = std::fs::read_to_string(&svg).unwrap();
        // Measure the diagram's text with the browser's fonts, in a page of its own.
        let page = out_dir().join(format!("{name}-diagram.html"));
        std::fs::write(
            &page,
            format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head><body style=\"margin:0\">{text}</body></html>"),
        )
        .unwrap();
        let found = probe(&page, 1600);
        let cut = list(&found["svgOverflowing"]);
        assert!(
            cut.is_empty(),
            "{name}: diagram text outside its cell: {cut:#?}"
        );
        assert!(found["svgCells"].as_u64().unwrap() > 0);

        // The SVG file itself, as a browser shows it.
        let dom = browse(&svg, &["--dump-dom".to_string()]);
        assert!(
            dom.contains("<svg"),
            "{name}: Chromium did not load the SVG"
        );
        assert!(dom.contains("Held by:"), "{name}: the legend");
        let size = |attr: &str| -> u32 {
            let at = text.find(&format!(" {attr}=\"")).unwrap() + attr.len() + 3;
            text[at..]
                .split('"')
                .next()
                .unwrap()
                .parse::<f64>()
                .unwrap()
                .ceil() as u32
        };
        screenshot(
            &svg,
            &out_dir().join(format!("{name}-diagram.png")),
            size("width"),
            size("height"),
        );
    }
}

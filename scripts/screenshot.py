"""Screenshots of a built player page at desktop and phone widths, in headless Chromium.

    python scripts/screenshot.py out/edition.html            # writes out/edition.desktop.png, .phone.png

Needs Playwright (`pip install '.[test]'`) and a Chromium (Debian: `apt-get install chromium`);
no browser is downloaded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from static_server import serve  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no Chromium found: apt-get install chromium")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="EDITION.html written by `audio-edition player`")
    parser.add_argument("--seek", type=float, default=20.0, help="position to show, in seconds")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server, origin, _ = serve(args.page.parent)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            for name, width, height in (("desktop", 1280, 900), ("phone", 375, 812)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{origin}/{args.page.name}")
                page.wait_for_function("document.querySelector('audio').readyState >= 1")
                page.evaluate(f"document.querySelector('audio').currentTime = {args.seek}")
                page.wait_for_timeout(300)
                out = args.page.with_suffix(f".{name}.png")
                page.screenshot(path=str(out), full_page=name == "phone")
                print(out)
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()

"""The debug toolbar's "Side effects" panel, driven in a real browser (headless Chromium).

A baked project runs ``manage.py runserver`` with its local settings; Chromium (Debian's
package, driven by Selenium through chromedriver) logs in to the admin, saves a product and
opens the panel of that request. On failure a screenshot is kept in the test's ``tmp_path``; on
success the panel's screenshot is there too (``SIDE_EFFECTS_PANEL_SCREENSHOT=path`` copies it,
which is how the template README's picture is made).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bake_project, manage, project_env
from tests.servers import free_port, server_absent, start_process

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Flags that let Chromium run headless as root in a container, with nothing fetched.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
)  # fmt: skip
PASSWORD = "a-long-test-password"  # noqa: S105

pytestmark = pytest.mark.slow


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Headless Chromium, with a fresh profile in the test's directory."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        server_absent("Chromium and chromedriver are not installed (apt-get install chromium "
                      "chromium-driver)")  # fmt: skip
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@contextmanager
def screenshot_on_failure(driver: Any, path: Path) -> Iterator[None]:
    """Keep a screenshot of the page at ``path`` when the block fails."""
    try:
        yield
    except BaseException:
        driver.save_screenshot(str(path))
        raise


def _receivers_of_product_saves(project: Path, env: dict[str, str]) -> set[str]:
    """What the signal map says a product's save fires."""
    output = manage(project, "signalmap", "--format", "json", **env).stdout
    return {
        row["receiver"]
        for row in json.loads(output)["receivers"]
        if row["signal"].endswith(".post_save") and row["sender"] == "catalog.Product"
    }


def test_the_panel_shows_the_receivers_a_product_save_fired(
    tmp_path: Path, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver: WebDriver = browser  # type: ignore[assignment]
    project = bake_project(tmp_path / "bake")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    manage(project, "migrate", "--no-input", **env)
    manage(project, "createsuperuser", "--no-input", "--username", "admin",
           "--email", "admin@example.com", **env)  # fmt: skip
    expected = _receivers_of_product_saves(project, env)
    assert expected, "the example app's product saves fire no receiver"
    port = free_port()

    with start_process(
        "runserver", sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload",
        cwd=project, env=project_env(**env), log_dir=tmp_path,
    ) as server, screenshot_on_failure(driver, tmp_path / "failure.png"):  # fmt: skip
        server.wait_for_log(r"Starting .*development server at", what="runserver")
        origin = f"http://127.0.0.1:{port}"
        wait = WebDriverWait(driver, 20)

        driver.get(f"{origin}/admin/login/")
        driver.find_element(By.NAME, "username").send_keys("admin")
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        wait.until(expected_conditions.url_to_be(f"{origin}/admin/"))

        # The toolbar's redirects panel stops at the save's redirect, so the toolbar shown is
        # the one of the POST that saved the product.
        driver.add_cookie({"name": "djdtRedirectsPanel", "value": "on"})
        driver.add_cookie({"name": "djdt", "value": "show"})  # the toolbar open, not its handle
        driver.get(f"{origin}/admin/catalog/product/add/")
        driver.find_element(By.NAME, "name").send_keys("Desk lamp")
        driver.find_element(By.NAME, "price").send_keys("19.90")
        save = driver.find_element(By.NAME, "_save")
        save.click()
        wait.until(expected_conditions.staleness_of(save))  # the POST's page, not the form's

        # The toolbar lives in a shadow root (its USE_SHADOW_DOM default).
        toolbar = wait.until(lambda driver: driver.find_element(By.ID, "djDebugRoot").shadow_root)
        toolbar.find_element(By.CSS_SELECTOR, "#djdt-SideEffectsPanel > a").click()
        listed = wait.until(
            lambda driver: toolbar.find_elements(
                By.CSS_SELECTOR, "#SideEffectsPanel li.djdt-side-effect"
            )
        )
        receivers = {item.get_attribute("data-receiver") for item in listed}
        summary = toolbar.find_element(By.CSS_SELECTOR, ".djdt-side-effects-summary").text
        driver.save_screenshot(str(tmp_path / "side-effects-panel.png"))
        link = listed[0].find_element(By.CSS_SELECTOR, "a").get_attribute("href") or ""

        assert receivers == expected
        assert summary.startswith("POST /admin/catalog/product/add/:"), summary
        assert link.startswith(f"{origin}/__side_effects__/signal-map/#")
        driver.get(link)
        entry = driver.find_element(By.ID, link.partition("#")[2])
        assert link.partition("#")[2] in entry.text
        assert "Side effects of POST /admin/catalog/product/add/" in server.log_text()

    if copy_to := os.environ.get("SIDE_EFFECTS_PANEL_SCREENSHOT"):
        shutil.copyfile(tmp_path / "side-effects-panel.png", copy_to)

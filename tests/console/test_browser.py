"""The console in a real browser: a complaint from a call to its closing, each step by clicking, as the
people who take it; and what a page shows when a rule refuses, when the case changed meanwhile, when the
filing button is pressed twice, and to a statistician."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from flask import Flask
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from domain.complaint import Complaint
from tests.console.conftest import SCREENSHOTS, catch_up
from tests.web.conftest import CHOSEN_PASSWORD, INITIAL_PASSWORD, OWN_UNIT, ROOT, Api
from web.console.session import COOKIE

CALLER = "王秀兰"


def sign_in(browser: WebDriver, served: str, api: Api, user: str) -> None:
    browser.get(f"{served}/assets/console.css")
    browser.delete_all_cookies()
    browser.add_cookie({"name": COOKIE, "value": api.tokens[user], "path": "/"})
    browser.get(f"{served}/")


def accessible(browser: WebDriver) -> None:
    """The page is Chinese, has a heading, and every input a user fills has a label."""
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert browser.find_elements(By.TAG_NAME, "h1")
    labelled = {label.get_attribute("for") for label in browser.find_elements(By.TAG_NAME, "label")}
    for element in browser.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select, textarea"):
        assert element.get_attribute("id") in labelled, element.get_attribute("name")


def shot(browser: WebDriver, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))


def fill(browser: WebDriver, form: str, values: dict[str, str]) -> None:
    """Type or choose each value into the field of ``form`` (an action's path, or "file") by its name."""
    for name, value in values.items():
        element = browser.find_element(By.ID, f"{form}-{name.replace('.', '-')}")
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            element.click()
        else:
            element.send_keys(value)


def send(browser: WebDriver, form: WebElement) -> None:
    """Press the form's button and wait for the page it leads to."""
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Chromium may answer a question about the old page's node while it swaps pages: ask again.
    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(staleness_of(form))


def take(browser: WebDriver, path: str, values: dict[str, str] | None = None) -> None:
    """Open the action's form on the case page, fill it in, and send it."""
    form = browser.find_element(By.CSS_SELECTOR, f"form[action$='/{path}']")
    details = form.find_element(By.XPATH, "..")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    fill(browser, path, values or {})
    send(browser, form)


def status(browser: WebDriver) -> str:
    found = browser.find_elements(By.CSS_SELECTOR, "h1 .status")
    assert found, browser.find_element(By.TAG_NAME, "main").text
    return found[0].text


def file_from_a_call(browser: WebDriver, served: str) -> None:
    browser.find_element(By.LINK_TEXT, "登记投诉").click()
    accessible(browser)
    fill(
        browser,
        "file",
        {
            "category": "breakfast_stalls",
            "channel": "hotline",
            "location.village": "新河社区",
            "location.address": "人民医院北门",
            "description": "医院北门早餐摊点占道经营，影响救护车通行",
            "parties.0.role": "complainant",
            "parties.0.name": CALLER,
            "parties.0.phone": "13800000000",
        },
    )
    shot(browser, "filing-form")
    send(browser, browser.find_element(By.CSS_SELECTOR, "form.action"))


def case_id(browser: WebDriver) -> UUID:
    return UUID(browser.current_url.split("/cases/")[1].split("?")[0])


def test_a_complaint_from_a_call_to_its_closing(app: Flask, served: str, office_api: Api, browser: WebDriver) -> None:
    sign_in(browser, served, office_api, "clerk")
    file_from_a_call(browser, served)
    assert status(browser) == "已登记"
    assert CALLER in browser.page_source
    number = browser.find_element(By.TAG_NAME, "h1").text.split()[1]

    catch_up(app)
    sign_in(browser, served, office_api, "supervisor")
    intake = browser.find_element(By.XPATH, "//section[h2/a[@href='/queues/intake']]")
    assert intake.find_element(By.CSS_SELECTOR, ".count").text == "1"
    shot(browser, "home-supervisor")
    intake.find_element(By.LINK_TEXT, number).click()
    accessible(browser)
    take(browser, "accept")
    assert status(browser) == "已受理"
    take(browser, "dispatch", {"lead_unit": OWN_UNIT})
    assert status(browser) == "已交办"

    catch_up(app)
    sign_in(browser, served, office_api, "handler")
    browser.find_element(By.XPATH, "//section[h2/a[@href='/queues/my_unit']]").find_element(
        By.LINK_TEXT, number
    ).click()
    take(browser, "investigate", {"finding": "substantiated", "summary": "现场核实属实"})
    take(browser, "dispose", {"action_taken": "劝导摊主退入店内经营"})
    take(
        browser,
        "reply",
        {
            "opinion": "support",
            "facts": "摊点占道属实",
            "reasons": "已劝导整改",
            "legal_basis": "《城市市容和环境卫生管理条例》",
        },
    )
    assert status(browser) == "已答复"
    shot(browser, "case-page")

    sign_in(browser, served, office_api, "clerk")
    browser.get(f"{served}/cases/{office_api.ledger.created_ids(Complaint)[0]}")
    take(browser, "visit", {"satisfaction": "satisfied"})
    assert status(browser) == "已回访"

    sign_in(browser, served, office_api, "supervisor")
    browser.get(f"{served}/cases/{office_api.ledger.created_ids(Complaint)[0]}")
    take(browser, "close", {"resolved": "true"})
    assert status(browser) == "已办结"
    timeline = browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    for step in ("登记", "受理", "交办", "调查", "处置", "答复", "回访", "办结"):
        assert step in timeline
    assert "依法行政工作监督小组" in timeline and OWN_UNIT in timeline


def test_a_refusal_a_stale_page_and_a_second_click(
    app: Flask, served: str, office_api: Api, browser: WebDriver
) -> None:
    sign_in(browser, served, office_api, "clerk")
    file_from_a_call(browser, served)
    filed = case_id(browser)
    browser.back()
    send(browser, browser.find_element(By.CSS_SELECTOR, "form.action"))
    assert case_id(browser) == filed
    assert office_api.ledger.created_ids(Complaint) == [filed]

    sign_in(browser, served, office_api, "supervisor")
    browser.get(f"{served}/cases/{filed}")
    take(browser, "resume")
    problem = browser.find_element(By.CSS_SELECTOR, ".problem")
    assert "该操作不符合办理规则" in problem.text and "规则" in problem.text
    assert status(browser) == "已登记"

    office_api.act("supervisor", f"/api/complaints/{filed}/accept", 1)
    take(browser, "supervise", {"reason": "群众反映强烈"})
    problem = browser.find_element(By.CSS_SELECTOR, ".problem")
    assert "案件版本已变化" in problem.text and "重新载入本页" in problem.text
    problem.find_element(By.LINK_TEXT, "重新载入本页").click()
    assert status(browser) == "已受理"


def test_a_statistician_never_sees_a_name(app: Flask, served: str, office_api: Api, browser: WebDriver) -> None:
    sign_in(browser, served, office_api, "clerk")
    file_from_a_call(browser, served)
    filed = case_id(browser)
    catch_up(app)
    sign_in(browser, served, office_api, "statistician")
    accessible(browser)
    browser.get(f"{served}/report")
    accessible(browser)
    shot(browser, "report")
    for page in ("/", "/queues/intake", f"/cases/{filed}", "/report"):
        browser.get(f"{served}{page}")
        assert CALLER not in browser.page_source
        assert "13800000000" not in browser.page_source


def test_signing_in_changing_the_initial_password_and_signing_out(
    served: str, office_api: Api, browser: WebDriver
) -> None:
    office_api.ledger.set_password(ROOT, "clerk", INITIAL_PASSWORD)
    browser.get(f"{served}/cases")
    assert "/sign-in" in browser.current_url
    accessible(browser)
    fill(browser, "sign-in", {"username": "clerk", "password": INITIAL_PASSWORD})
    send(browser, browser.find_element(By.CSS_SELECTOR, "form.action"))
    assert browser.current_url.endswith("/password")
    accessible(browser)
    browser.find_element(By.ID, "pw-old").send_keys(INITIAL_PASSWORD)
    browser.find_element(By.ID, "pw-new").send_keys(CHOSEN_PASSWORD)
    send(browser, browser.find_element(By.CSS_SELECTOR, "form.action"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("今日工作")
    send(browser, browser.find_element(By.CSS_SELECTOR, "form.sign-out"))
    assert "/sign-in" in browser.current_url
    browser.get(f"{served}/")
    assert "/sign-in" in browser.current_url

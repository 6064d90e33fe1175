"""Parent journey on a 360×740 phone: home → articles for 1–2 岁 → search 辅食 → read an article →
take the knowledge survey → see the score."""

import pytest
from django.core.cache import cache

from tests import factories_cms as fc


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parent_journey(new_context, site, shots):
    fc.article("一岁宝宝怎样吃辅食", text="1 岁后辅食逐渐过渡到家庭膳食，少盐少糖。", bands=("1-2y",), topics=("feeding",))
    fc.article("学步期的安全", text="学步期要注意防跌倒。", bands=("1-2y",), topics=("safety",))
    fc.article("新生儿的睡眠", text="新生儿每天睡 16 小时左右。", bands=("0-6m",), topics=("sleep",))
    fc.survey_page(pass_mark=80)
    cache.clear()  # the survey's per-IP rate limit lives in the cache

    page = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    page.goto(site + "/")
    shots(page, "home")
    # Nothing wider than the phone (a horizontal scroll bar is a broken mobile page).
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator(".age-links").get_by_role("link", name="1–2 岁").click()
    page.wait_for_load_state()
    assert "age=1-2y" in page.url
    main = page.locator("main").inner_text()
    assert "一岁宝宝怎样吃辅食" in main and "学步期的安全" in main
    assert "新生儿的睡眠" not in main
    shots(page, "articles-1-2y")

    page.fill("input[name=q]", "辅食")
    page.locator("form.search-box [type=submit]").click()
    page.wait_for_load_state()
    assert "/site/search/" in page.url
    shots(page, "search")
    page.get_by_role("link", name="一岁宝宝怎样吃辅食").first.click()
    page.wait_for_load_state()
    assert "少盐少糖" in page.locator("main").inner_text()
    shots(page, "article")

    page.goto(site + "/")
    page.get_by_role("link", name="知识问卷").first.click()
    page.wait_for_load_state()
    page.select_option("select[name=county]", label="麒麟区")
    page.select_option("select[name=age_band]", label="1–2 岁")
    # All correct but the last question (4 of 5 = 80 分, the pass mark).
    for n, (_, _, correct, _) in enumerate(fc.QUESTIONS, start=1):
        choice = correct if n < len(fc.QUESTIONS) else (correct % 2) + 1
        page.locator(f"input[name=q{n}][value='{choice}']").check()
    shots(page, "survey")
    page.get_by_role("button", name="提交答卷").click()
    page.wait_for_load_state()
    shots(page, "score")
    heading = page.locator("#result-heading").inner_text()
    assert "80 分" in heading, heading
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

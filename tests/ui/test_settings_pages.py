"""The settings pages on their own: each shows a profile (`load`) and writes it back (`save`) without losing a
field, and says what it checks (`problems`); the account page keeps credentials out of the keyring until saved."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QComboBox, QFormLayout

from twexport_qt.secrets.credentials import Credentials
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import FilterDefaults, Profile, TierSpec
from twexport_qt.settings.validation import validate_profile
from twexport_qt.ui.filter_panel import FilterPanel
from twexport_qt.ui.settings_dialog.account_page import AccountPage
from twexport_qt.ui.settings_dialog.automation_page import AutomationPage
from twexport_qt.ui.settings_dialog.campaign_page import CampaignPage
from twexport_qt.ui.settings_dialog.filters_page import FiltersPage


def edited_profile() -> Profile:
    """A profile with every field the pages show away from its default."""
    return Profile(
        name="Shop", kind="x", test_mode=False, dm_enabled=False, test_accounts=["alice", "Bob_2"],
        test_retry_message=True, message="Hi {first_name}", retry_message="Still there, {name}?", retry_after_days=3,
        daily_cap=120, auto_fetch_minutes=90, auto_dm=True, opt_out_words=["stop", "ya no"],
        opt_out_line="Reply STOP to opt out.",
        follower_filters=FilterDefaults(created_after=datetime(2020, 1, 2, 3, 4, tzinfo=UTC),
                                        min_followers=10, max_following=5_000, verified_only=True,
                                        min_tweets=5, max_tweets=90_000, min_listed=1, max_listed=50,
                                        inactive_days=30, posted_within_days=365, relationship="fans"),
        tiers=[TierSpec("Big", min_followers=50_000), TierSpec("Everyone else")],
        tier_messages={"Big": {"first": "Hello {name}, big fan!"}},
        daily_budget_usd=Decimal("5.00"), monthly_budget_usd=Decimal("120.50"),
    )


@pytest.fixture
def pages(qtbot):
    built = (CampaignPage(), FiltersPage(), AutomationPage())
    for page in built:
        qtbot.addWidget(page)
    return built


def test_each_page_writes_back_what_it_showed(pages):
    shown = edited_profile()
    written = Profile(name="Shop", kind="x")
    for page in pages:
        page.load(shown)
        page.save(written)
    assert dataclasses.asdict(written) == dataclasses.asdict(shown)


def test_test_accounts_are_read_as_usernames(qtbot):
    page = CampaignPage()
    qtbot.addWidget(page)
    page.test_accounts_edit.setText(" @Alice, https://x.com/Bob ,, twitter.com/carol?s=20")
    profile = Profile(name="Shop")
    page.save(profile)
    assert profile.test_accounts == ["Alice", "Bob", "carol"]


def test_the_campaign_page_names_each_message_with_an_unknown_placeholder(qtbot):
    page = CampaignPage()
    qtbot.addWidget(page)
    profile = edited_profile()
    profile.retry_message = "Still there, {nmae}?"
    profile.tier_messages["Big"]["retry"] = "{frist_name}!"
    problems = page.problems(profile)
    assert len(problems) == 2
    assert problems[0].startswith("Profile 'Shop', retry DM: Unknown placeholder {nmae}")
    assert problems[1].startswith("Profile 'Shop', retry DM for tier 'Big': Unknown placeholder {frist_name}")
    assert page.problems(edited_profile()) == []


def test_the_filters_page_has_every_number_of_the_filter_panel_with_its_labels_and_tips(qtbot):
    page, panel = FiltersPage(), FilterPanel()
    qtbot.addWidget(page)
    qtbot.addWidget(panel)

    def labelled(widget) -> dict[str, tuple[str, str, int, int]]:
        """Each spin box of the form by its row's label: its tooltip, suffix and range."""
        rows = {}
        for form in widget.findChildren(QFormLayout):
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                spin = field.widget() if field is not None else None
                if label is not None and hasattr(spin, "optional_value"):
                    rows[label.widget().text()] = (spin.toolTip(), spin.suffix(), spin.minimum(), spin.maximum())
        return rows

    shown = labelled(page)
    assert shown == labelled(panel)
    assert {"Minimum posts", "Maximum lists", "Inactive for at least", "Posted within the last"} <= set(shown)


def test_the_filters_page_offers_the_filter_panels_relationships_with_its_label_and_tip(qtbot):
    page, panel = FiltersPage(), FilterPanel()
    qtbot.addWidget(page)
    qtbot.addWidget(panel)
    panel.set_relationship_available(True)  # the panel's tip explains the choices once it can apply them

    def combos(widget) -> dict[str, tuple[str, list[tuple[str, str]]]]:
        """Each choice of the form by its row's label: its tooltip and its (value, text) items."""
        rows = {}
        for form in widget.findChildren(QFormLayout):
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                combo = field.widget() if field is not None else None
                if label is not None and isinstance(combo, QComboBox):
                    items = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
                    rows[label.widget().text()] = (combo.toolTip(), items)
        return rows

    shown = combos(page)
    assert set(shown) == {"Relationship"}  # the panel's other choices (DM status...) are not saved defaults
    assert shown["Relationship"] == combos(panel)["Relationship"]
    assert [value for value, _text in shown["Relationship"][1]] == ["any", "mutuals", "fans"]


def test_tier_bounds_are_read_as_numbers_and_bad_text_is_kept_for_validation_to_name(qtbot):
    page = FiltersPage()
    qtbot.addWidget(page)
    profile = Profile(name="Shop", tiers=[TierSpec("Big"), TierSpec("Rest")])
    page.load(profile)
    page.tiers_table.item(0, 1).setText("10,000")
    page.tiers_table.item(0, 2).setText("lots")
    page.add_tier_button.click()
    page.save(profile)
    assert [tier.name for tier in profile.tiers] == ["Big", "Rest", "New tier"]
    assert profile.tiers[0].min_followers == 10_000
    assert validate_profile(profile, "profiles.Shop") == [
        "Profile 'Shop', tier 1, maximum followers: must be a whole number ≥ 0, or empty for no limit"]


def test_the_account_page_writes_the_keyring_only_when_told(qtbot, memory_keyring):
    secrets = SecretStore.open()
    secrets.set_credentials("Shop", Credentials(consumer_key="stored-key"))
    page = AccountPage(secrets)
    qtbot.addWidget(page)
    shop = Profile(name="Shop")
    page.load(shop)
    assert page.credential_edits["consumer_key"].text() == "stored-key"
    page.credential_edits["consumer_key"].setText(" new-key\n")
    page.save(shop)
    assert secrets.credentials("Shop").consumer_key == "stored-key"
    page.store_credentials()
    assert secrets.credentials("Shop").consumer_key == "new-key"

    page.forget("Shop")
    page.load(shop)  # a profile created again under a deleted one's name starts empty
    assert page.credential_edits["consumer_key"].text() == ""
    page.store_credentials()
    assert not secrets.credentials("Shop").can_call_api and secrets.credentials("Shop").consumer_key is None


def test_the_sandbox_needs_no_credentials(qtbot, memory_keyring):
    page = AccountPage(SecretStore.open())
    qtbot.addWidget(page)
    page.load(Profile(name="Sandbox", kind="sandbox"))
    assert page.sandbox_note.isVisibleTo(page)
    assert not any(edit.isEnabled() or edit.text() for edit in page.credential_edits.values())
    page.load(Profile(name="Shop"))
    assert not page.sandbox_note.isVisibleTo(page)
    assert all(edit.isEnabled() for edit in page.credential_edits.values())


# -- Automation: budgets and what the schedules cost ----------------------------------------------------------
def automation_page(qtbot, followers: int | None = 10_000) -> AutomationPage:
    page = AutomationPage(follower_count=lambda _profile: followers)
    qtbot.addWidget(page)
    return page


def test_budgets_load_and_save_and_empty_means_none(qtbot):
    page = automation_page(qtbot)
    page.load(Profile(name="Shop", daily_budget_usd=Decimal("2.50"), monthly_budget_usd=None))
    assert page.daily_budget_edit.text() == "2.50" and page.monthly_budget_edit.text() == ""
    page.daily_budget_edit.setText(" $1,000 ")
    page.monthly_budget_edit.setText("")
    profile = Profile(name="Shop", monthly_budget_usd=Decimal(9))
    page.save(profile)
    assert profile.daily_budget_usd == Decimal(1000) and profile.monthly_budget_usd is None
    assert page.problems(profile) == []


def test_a_budget_that_is_no_amount_is_named_and_shown_again(qtbot):
    page = automation_page(qtbot)
    page.load(Profile(name="Shop"))
    page.daily_budget_edit.setText("five dollars")
    profile = Profile(name="Shop")
    page.save(profile)
    assert profile.daily_budget_usd is None
    assert page.problems(profile) == ["Profile 'Shop', daily budget (USD): must be an amount of US dollars like 5 or "
                                      "2.50, not 'five dollars', or empty for no budget"]
    page.load(profile)  # e.g. back from another profile: the text is still there to fix
    assert page.daily_budget_edit.text() == "five dollars"
    page.daily_budget_edit.setText("0.001")  # an amount, but not one settings accept: their validation names it
    page.save(profile)
    assert page.problems(profile) == [] and validate_profile(profile, "profiles.Shop") == [
        "Profile 'Shop', daily budget (USD): must be at least $0.01, or empty for no budget"]


def test_the_schedules_show_what_they_cost_per_run_and_per_month(qtbot):
    page = automation_page(qtbot)
    page.load(Profile(name="Shop", daily_cap=100))
    assert page.fetch_cost_label.text() == "" and page.campaign_cost_label.text() == ""
    page.auto_fetch_spin.setValue(60)  # hourly; X bills a follower once a UTC day
    text = page.fetch_cost_label.text()
    assert text.startswith("Each run ≈ 10,000 followers: $10.00 as owned reads (up to $100.00")
    assert "Per month ≈ $300.00 (up to $3,000.00)" in text and "once per UTC day" in text
    page.auto_fetch_spin.setValue(2 * 24 * 60)  # every other day: 15 billed runs a month
    assert "Per month ≈ $150.00 (up to $1,500.00)." in page.fetch_cost_label.text()
    page.auto_dm_box.setChecked(True)
    assert page.campaign_cost_label.text().startswith("At most 100 DMs a day at $0.015 each: ≈ $1.51 a day.")


def test_without_a_fetch_yet_the_page_says_how_to_see_the_price(qtbot):
    page = automation_page(qtbot, followers=None)
    page.load(Profile(name="Shop", auto_fetch_minutes=30))
    assert page.fetch_cost_label.text() == "Fetch the followers once to see what a scheduled fetch costs."


def test_a_schedule_over_the_monthly_budget_is_refused_with_a_sentence(qtbot):
    page = automation_page(qtbot)
    profile = Profile(name="Shop", auto_fetch_minutes=60, monthly_budget_usd=Decimal(100))
    page.load(profile)
    page.save(profile)
    assert page.problems(profile) == [
        "Profile 'Shop': the automatic schedule would spend at least $300.00 a month (auto-fetch ≈ $300.00), more "
        "than the monthly budget of $100.00: fetch less often, lower the daily cap, or raise the budget"]
    profile.auto_fetch_minutes = 7 * 24 * 60  # weekly: ≈ 4.3 runs a month, $42.86
    assert page.problems(profile) == []
    profile.auto_dm = profile.dm_enabled = True  # plus 400 DMs a day: $180.30 a month
    assert "auto-fetch ≈ $42.86 and automatic sending ≈ $180.30" in page.problems(profile)[0]
    profile.dm_enabled = False  # the master switch off: automatic mode sends nothing
    assert page.problems(profile) == []

"""DM campaign: mode and safety switches, preview of the exact texts, the plan (calendar and cost), dry run,
sending, automatic mode, DM status and the funnel of each step.

Safety first, as in the seed: test mode is on and the master switch off by default; turning the master switch
on while test mode is off asks for confirmation showing how many people will be messaged. Every send shows its
price first (`ui/cost_confirmation.py`): a live send in that same question, a test send asking above the
threshold; scheduled runs ask nothing, the budgets govern them.

The tab holds no connection: what it shows is read through `context.campaigns` with `run_task`, off the GUI
thread (each read scans the DM log or every follower), and the live question is asked once the count arrives.
Preview, plan and sending are jobs (progress, Cancel), set up by `api_job` / `database_job`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import ApiSession, AppContext
from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.campaigns import funnel, outreach_churn, plan_report
from twexport_qt.campaigns.plan_calendar import CampaignCalendar, PlanDay, build_calendar
from twexport_qt.campaigns.planner import CampaignPlan, PlannedDM, plan_campaign, preview
from twexport_qt.campaigns.sender import CampaignResult, RunMode, StopReason, run_campaign
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.campaigns.test_accounts import resolve_test_accounts
from twexport_qt.core import messages
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.profile_mapping import campaign_settings
from twexport_qt.services.campaigns import LiveQuestion
from twexport_qt.services.jobs import JobContext, JobName, JobOutcome, api_job, database_job
from twexport_qt.store.dm_states import DmMode
from twexport_qt.store.job_locks import JobKind
from twexport_qt.ui.cost_confirmation import confirm_cost
from twexport_qt.ui.do_not_contact_dialog import DoNotContactDialog
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.live_confirmation import confirm_live_sending
from twexport_qt.ui.records_model import Column, RecordTableModel, record_table
from twexport_qt.workers.tasks import TaskHandle

if TYPE_CHECKING:  # the status rows are the DM log's own records, read through `context.campaigns`
    from twexport_qt.store.dm_repo import DmRow

AUTO_RETRY_AFTER_S = 300  # a failed automatic run is tried again this much later
MODE_CHOICES = ((DmMode.LIVE, "Live DMs"), (DmMode.TEST, "Test sends"), (DmMode.DRY_RUN, "Dry runs"))
RUN_HEADINGS = {RunMode.TEST: "Test send: ", RunMode.DRY_RUN: "Dry run: "}  # as `dm run` prints them
LIVE_BADGE = "QLabel { background: #b00020; color: white; padding: 2px 8px; border-radius: 8px; }"
SAFE_BADGE = "QLabel { background: #2a9d8f; color: white; padding: 2px 8px; border-radius: 8px; }"
TITLE = "DM campaign"
# Task keys: a newer read of the same thing wins, so an old answer never replaces a newer one.
STATUS_TASK, FUNNEL_TASK, CHURN_TASK = "campaign-status", "campaign-funnel", "campaign-outreach-churn"
NEXT_DUE_TASK, LIVE_AUDIENCE_TASK = "campaign-next-due", "campaign-live-audience"
TEST_SEND_ESTIMATE_TASK = "campaign-test-send-estimate"

PREVIEW_COLUMNS: tuple[Column[PlannedDM], ...] = (
    Column("Username", lambda dm: dm.recipient.username),
    Column("Name", lambda dm: dm.recipient.name),
    Column("Tier", lambda dm: dm.recipient.tier),
    Column("Step", lambda dm: dm.step),
    Column("Exact text", lambda dm: dm.text),
)
STATUS_COLUMNS: tuple[Column[DmRow], ...] = (
    Column("Follower id", lambda row: row.recipient_id),
    Column("Username", lambda row: row.recipient_username),
    Column("Step", lambda row: row.step),
    Column("State", lambda row: row.state),
    Column("Updated", lambda row: row.updated_at, format_local_datetime),
    Column("Event id", lambda row: row.event_id),
    Column("Reason", lambda row: row.reason),
)
FUNNEL_COLUMNS: tuple[Column[funnel.FunnelStep], ...] = (
    Column("Step", lambda step: step.step, lambda dm_step: funnel.STEP_LABELS[dm_step]),
    Column("Sent", lambda step: step.sent, lambda sent: f"{sent:,}"),
    Column("Replied", lambda step: funnel.count_with_share(step, step.replied)),
    Column("Opted out", lambda step: funnel.count_with_share(step, step.opted_out)),
    Column(f"Unfollowed within {funnel.UNFOLLOW_WINDOW_DAYS} days", funnel.unfollowed_with_share),
)


class CampaignTab(QWidget):
    settingsRequested = Signal()  # "Edit templates and test accounts…": the window opens its settings dialog

    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None, *,
                 filter_state: FollowerFilterState | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state  # the Followers tab's filter, for "use the view's filter"
        self._live_question: TaskHandle | None = None  # counting who live sending reaches, to ask about it
        self._next_due_read: TaskHandle | None = None
        self._shown_calendar: CampaignCalendar | None = None  # names the tiers of the plan table's days

        self.mode_badge = QLabel()
        self.confirm_button = QPushButton("Confirm live sending…")
        self.confirm_button.clicked.connect(self.confirm_live)
        self.dm_enabled_box = QCheckBox("Master switch: sending DMs enabled")
        self.dm_enabled_box.toggled.connect(self._on_master_switch)
        self.test_mode_box = QCheckBox("Test mode (only the test accounts)")
        self.test_mode_box.toggled.connect(self._on_test_mode)
        self.auto_box = QCheckBox("Automatic: send due DMs and retries on schedule")
        self.auto_box.toggled.connect(self._on_auto)
        self.use_view_filter = QCheckBox("Recipients: use the Followers tab's current filter (else saved defaults)")
        switches = QVBoxLayout()
        for widget in (self.mode_badge, self.confirm_button, self.dm_enabled_box, self.test_mode_box, self.auto_box,
                       self.use_view_filter):
            switches.addWidget(widget)
        safety = QGroupBox("Safety")
        safety.setLayout(switches)

        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.start_preview)
        self.plan_button = QPushButton("Plan")
        self.plan_button.setToolTip("The live campaign day by day (UTC dates): first DMs and retries per tier under "
                                    "your daily cap and X's limits, and what it costs. Sends nothing.")
        self.plan_button.clicked.connect(self.start_plan)
        self.dry_run_button = QPushButton("Dry run")
        self.dry_run_button.clicked.connect(lambda: self.start_campaign(dry_run=True))
        self.send_button = QPushButton("Send due DMs now")
        self.send_button.clicked.connect(lambda: self.start_campaign(dry_run=False))
        self.edit_button = QPushButton("Messages && settings…")
        self.edit_button.clicked.connect(self._open_settings)
        self.dnc_button = QPushButton("Do not contact…")
        self.dnc_button.clicked.connect(self.open_do_not_contact)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.plan_button, self.dry_run_button, self.send_button,
                       self.edit_button, self.dnc_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.counts_label = QLabel("Preview to see who gets which DM.")
        self.counts_label.setWordWrap(True)
        self.next_label = QLabel()
        self.preview_model = RecordTableModel(PREVIEW_COLUMNS)
        self.preview_view = record_table(self.preview_model)
        self.status_mode = QComboBox()
        for mode, label in MODE_CHOICES:
            self.status_mode.addItem(label, mode.value)
        self.status_mode.currentIndexChanged.connect(self.refresh_status)
        self.status_model = RecordTableModel(STATUS_COLUMNS)
        self.status_view = record_table(self.status_model)

        self.views = QTabWidget()
        self.views.addTab(self.preview_view, "Preview (first 20 recipients)")
        self.plan_page, self.funnel_page = self._plan_page(), self._funnel_page()
        self.views.addTab(self.plan_page, "Plan")
        self.views.addTab(self.funnel_page, "Funnel")
        status_box = QGroupBox("DM status")
        status_layout = QVBoxLayout(status_box)
        status_layout.addWidget(self.status_mode)
        status_layout.addWidget(self.status_view)
        split = QSplitter()
        split.addWidget(self.views)
        split.addWidget(status_box)

        layout = QVBoxLayout(self)
        layout.addWidget(safety)
        layout.addLayout(buttons)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.next_label)
        layout.addWidget(split, 1)

        self.auto_timer = QTimer(self, singleShot=True)
        self.auto_timer.timeout.connect(self._auto_run)
        jobs.dataChanged.connect(lambda _name: self.refresh_status())
        jobs.jobEnded.connect(self._on_job_ended)
        self.profile_changed()

    def _plan_page(self) -> QWidget:
        self.plan_header = QLabel("Plan shows the live campaign day by day, before anything is sent.")
        self.plan_footer = QLabel()
        for label in (self.plan_header, self.plan_footer):
            label.setWordWrap(True)
        self.plan_model = RecordTableModel(self._plan_columns())
        self.plan_view = record_table(self.plan_model)
        self.plan_view.setSortingEnabled(False)  # a calendar reads in date order
        page = QWidget()
        layout = QVBoxLayout(page)
        # The explanations can run to a dozen lines: they scroll, so the calendar keeps the room on small screens.
        layout.addWidget(_scrolling(self.plan_header, lines=4))
        layout.addWidget(self.plan_view, 1)
        layout.addWidget(_scrolling(self.plan_footer, lines=3))
        return page

    def _plan_columns(self) -> tuple[Column[PlanDay], ...]:
        """The calendar's days in the columns `dm run --plan` prints (`plan_report.render_text`)."""
        return (
            Column("Date (UTC)", lambda day: day.date, date.isoformat),
            Column("Day", lambda day: day.day),
            Column("First DMs", lambda day: day.first),
            Column("Retries", lambda day: day.retry),
            Column("Retries falling due", lambda day: day.retries_falling_due),
            Column("Cost (est.)", lambda day: day.cost_usd, plan_report.money),
            Column("Tiers", self._tiers_of),
        )

    def _tiers_of(self, day: PlanDay) -> str:
        """'first: Power user 40, Rising 360': the tier names are the calendar's, not the day's."""
        calendar = self._shown_calendar
        return "" if calendar is None else plan_report.tiers_text(calendar, day)

    def _funnel_page(self) -> QWidget:
        self.funnel_model = RecordTableModel(FUNNEL_COLUMNS)
        self.funnel_view = record_table(self.funnel_model)
        self.funnel_view.setSortingEnabled(False)
        self.funnel_notes = QLabel()
        self.funnel_notes.setWordWrap(True)
        # Unfollows after the DMs against followers never messaged, from the follower history's complete fetches.
        self.outreach_churn_label = QLabel()
        self.outreach_churn_label.setWordWrap(True)
        self.outreach_churn_label.setToolTip(outreach_churn.TOOLTIP)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.funnel_view, 1)
        layout.addWidget(self.outreach_churn_label)
        layout.addWidget(self.funnel_notes)
        return page

    # -- profile switches ------------------------------------------------------------------------------
    def profile_changed(self) -> None:
        self._drop_live_question()
        self._show_switches()
        self._show_mode()
        self.refresh_status()
        self._schedule_auto()

    def _show_switches(self) -> None:
        """The boxes show what the profile holds (a refused or still unanswered turn-on shows as off)."""
        profile = self.context.profile
        for box, value in ((self.dm_enabled_box, profile.dm_enabled), (self.test_mode_box, profile.test_mode),
                           (self.auto_box, profile.auto_dm)):
            _set_checked_silently(box, value)

    def _show_mode(self) -> None:
        profile = self.context.profile
        unconfirmed = profile.sends_live and profile.live_confirmed_at is None
        if not profile.dm_enabled:
            text, style = "OFF · nothing will be sent", SAFE_BADGE
        elif profile.test_mode:
            text, style = f"TEST MODE · only {', '.join(profile.test_accounts) or 'no test accounts'}", SAFE_BADGE
        elif unconfirmed:
            text, style = "LIVE, NOT CONFIRMED · nothing is sent until you confirm", SAFE_BADGE
        else:
            text, style = "LIVE · DMs go to your followers", LIVE_BADGE
        self.mode_badge.setText(text)
        self.mode_badge.setStyleSheet(style)
        self.confirm_button.setVisible(unconfirmed)

    def _on_master_switch(self, on: bool) -> None:
        self._set_switches(dm_enabled=on, test_mode=self.context.profile.test_mode)

    def _on_test_mode(self, on: bool) -> None:
        self._set_switches(dm_enabled=self.context.profile.dm_enabled, test_mode=on)

    def _set_switches(self, *, dm_enabled: bool, test_mode: bool) -> None:
        """Apply the switches; turning live sending on goes through the confirmation first."""
        self._drop_live_question()  # a switch flipped while a question was being prepared: the flip wins
        if dm_enabled and not test_mode and not self.context.profile.sends_live:
            self._show_switches()  # off until the user says yes

            def turn_live_on() -> None:
                self._apply_switches(dm_enabled, test_mode, confirmed_at=int(self.context.clock.now()))

            self._ask_live("Turn live sending on", turn_live_on)
            return
        self._apply_switches(dm_enabled, test_mode, confirmed_at=None)

    def _apply_switches(self, dm_enabled: bool, test_mode: bool, *, confirmed_at: int | None) -> None:
        self.context.profile.set_switches(dm_enabled=dm_enabled, test_mode=test_mode, confirmed_at=confirmed_at)
        self._save_profile()
        self._show_switches()

    def confirm_live(self) -> None:
        """Confirm live sending that is on but unconfirmed (set in Settings, or by an imported config)."""
        profile = self.context.profile
        if profile.sends_live and profile.live_confirmed_at is None:
            self._ask_live("Turn live sending on", self._record_live_confirmation)

    def _record_live_confirmation(self) -> None:
        profile = self.context.profile
        if profile.live_confirmed_at is None:
            profile.live_confirmed_at = int(self.context.clock.now())
            self._save_profile()

    def _on_auto(self, on: bool) -> None:
        self._drop_live_question()
        profile = self.context.profile
        if on and profile.sends_live and profile.live_confirmed_at is None:
            _set_checked_silently(self.auto_box, False)  # off until live sending is confirmed

            def confirmed() -> None:
                self._record_live_confirmation()
                self._set_auto(True)

            self._ask_live("Turn live sending on", confirmed)
            return
        self._set_auto(on)

    def _set_auto(self, on: bool) -> None:
        self.context.profile.auto_dm = on
        self._save_profile()
        _set_checked_silently(self.auto_box, on)

    def _save_profile(self) -> None:
        try:
            self.context.save_settings()
        except TwExportError as exc:
            messages.error(exc.user_message, title="Settings")
        self._show_mode()
        self._schedule_auto()

    def _ask_live(self, what: str, on_yes: Callable[[], None], settings: CampaignSettings | None = None, *,
                  with_cost: bool = False) -> None:
        """Ask the live-sending question, naming how many people it reaches (`with_cost`: and what sending now
        costs), and call `on_yes` if the answer is yes. Counting them scans every follower, so it runs off the
        GUI thread and the question comes after."""
        try:
            settings = settings or self.settings()
        except TwExportError as exc:
            messages.warning(exc.user_message, title=TITLE)
            return
        owner, campaigns = self.context.known_owner_id(), self.context.campaigns
        prices = self.context.prices if with_cost else None

        def ask(question: LiveQuestion) -> None:
            self._live_question = None
            if confirm_live_sending(self, question.audience, what=what, cost=question.cost,
                                    simulated=self.context.is_sandbox):
                on_yes()

        self._live_question = self.jobs.tasks.run_task(
            "Counting who live sending would message", lambda: campaigns.live_question(owner, settings, prices), ask,
            key=LIVE_AUDIENCE_TASK, owner=self)

    def _drop_live_question(self) -> None:
        if self._live_question is not None:
            self._live_question.discard()
            self._live_question = None

    def settings(self) -> CampaignSettings:
        view_filter = (self.filter_state.current if self.use_view_filter.isChecked() and self.filter_state
                       else None)
        return campaign_settings(self.context.profile, view_filter)

    # -- jobs ------------------------------------------------------------------------------------------
    def start_preview(self) -> None:
        try:
            settings = self.settings()
            settings.check_templates()
        except TwExportError as exc:
            self.counts_label.setText(exc.user_message)
            return
        context = self.context

        def prepare(api: ApiSession, ctx: JobContext) -> CampaignPlan:
            owner = context.owner_id(api.gateway, api.pacer)
            recipients = (resolve_test_accounts(api.gateway, api.pacer, settings.test_accounts, settings.tiers)
                          if settings.test_mode else None)
            return plan_campaign(api.conn, owner, settings, int(context.clock.now()), test_recipients=recipients,
                                 limit=20)

        job = api_job(context, prepare, name=JobName.DM_PREVIEW)
        self.jobs.start(JobName.DM_PREVIEW, "Preparing the DM preview", job, on_success=self.show_plan,
                        writes_data=False)

    def show_plan(self, plan: CampaignPlan) -> None:
        c = plan.counts
        mode = "Test mode: " if plan.mode == DmMode.TEST else ""
        self.counts_label.setText(
            f"{mode}{c.first:,} first DMs and {c.retry:,} retries are due; {c.skipped:,} will be skipped "
            f"(they don't accept DMs); already done: {c.first_sent:,} first, {c.retry_sent:,} retries; "
            f"{c.waiting_for_retry:,} wait for their retry.")
        self.preview_model.set_records(preview(plan, 20))

    def start_plan(self) -> None:
        """The calendar of the live campaign, whatever the switches say (SQL only, in a thread: it counts every
        follower the campaign reaches)."""
        owner = self.context.known_owner_id()
        if owner is None:
            self.plan_header.setText("Fetch followers first: the plan is made from them.")
            self.views.setCurrentWidget(self.plan_page)
            return
        try:
            settings = self.settings()
        except TwExportError as exc:
            self.plan_header.setText(exc.user_message)
            return
        clock = self.context.clock
        job = database_job(self.context, lambda conn, ctx: build_calendar(conn, owner, settings, int(clock.now())))
        self.jobs.start(JobName.DM_PLAN, "Planning the DM campaign", job, on_success=self.show_calendar,
                        writes_data=False)

    def show_calendar(self, calendar: CampaignCalendar) -> None:
        self.plan_header.setText("\n".join(plan_report.header_lines(calendar, self.context.profile.name)))
        self._shown_calendar = calendar
        self.plan_model.set_records(calendar.days)
        self.plan_footer.setText("\n".join(plan_report.footer_lines(calendar)))
        self.views.setCurrentWidget(self.plan_page)

    def start_campaign(self, dry_run: bool = False, *, confirm: bool = True, automatic: bool = False) -> None:
        """Send what is due (or a dry run). A live send asks the live-sending question with its price; a test send
        shows its price and asks above the threshold (never in the Sandbox); a dry run is free. An automatic run
        (`confirm` False) asks nothing: the profile's budgets govern it."""
        try:
            settings = dataclasses.replace(self.settings(), dry_run=dry_run)
        except TwExportError as exc:
            messages.warning(exc.user_message, title=TITLE)
            return
        if not dry_run and not settings.dm_enabled:
            self.counts_label.setText("The master switch is off: nothing is sent. Turn it on above to send.")
            return
        if confirm and not dry_run and not settings.test_mode:
            def send_confirmed() -> None:
                self._record_live_confirmation()
                self._start_sending(dataclasses.replace(settings, live_confirmed=True), automatic=automatic)

            self._ask_live("Send live DMs now", send_confirmed, settings, with_cost=True)
            return
        if confirm and not dry_run:
            self._confirm_test_send(settings, automatic=automatic)
            return
        self._start_sending(settings, automatic=automatic)

    def _confirm_test_send(self, settings: CampaignSettings, *, automatic: bool) -> None:
        """Price the test send (the DM log only: no network, but off the GUI thread), then start it if confirmed."""
        owner, campaigns, prices = self.context.known_owner_id(), self.context.campaigns, self.context.prices

        def confirm(estimate: CostEstimate) -> None:
            if confirm_cost(self, estimate, what="Send test DMs", simulated=self.context.is_sandbox):
                self._start_sending(settings, automatic=automatic)

        self.jobs.tasks.run_task("Estimating what the test send costs",
                                 lambda: campaigns.run_estimate(owner, settings, prices), confirm,
                                 key=TEST_SEND_ESTIMATE_TASK, owner=self)

    def _start_sending(self, settings: CampaignSettings, *, automatic: bool) -> None:
        context = self.context

        def send(api: ApiSession, ctx: JobContext) -> CampaignResult:
            return run_campaign(api.conn, api.gateway, api.pacer, context.clock, settings, progress=ctx.progress,
                                cancel=ctx.cancel, on_wait=ctx.on_wait)

        # Whatever may send holds the campaign lock, across windows and CLI runs (see campaigns/sender.py).
        job = api_job(context, send, lock=None if settings.dry_run else JobKind.DM_CAMPAIGN, name=JobName.DM_CAMPAIGN)
        title = "Dry run of the DM campaign" if settings.dry_run else "Sending DMs"
        self.jobs.start(JobName.DM_CAMPAIGN, title, job, on_success=self._campaign_done, quiet=automatic)

    def _campaign_done(self, result: CampaignResult) -> None:
        self.counts_label.setText(f"{RUN_HEADINGS.get(result.mode, '')}{result.summary()}")
        if result.mode in (RunMode.TEST, RunMode.DRY_RUN):
            self.status_mode.setCurrentIndex(self.status_mode.findData(result.mode.value))
        if result.stop_reason == StopReason.ERROR:  # X not answering as it should: what is due stays due, try later
            self._retry_auto_later(result.message)
        else:
            self._schedule_auto()

    # -- DM status and funnel (read off the GUI thread: both scan the DM log) ----------------------------
    def refresh_status(self) -> None:
        self.refresh_funnel()
        owner = self.context.known_owner_id()
        if owner is None:
            self.status_model.set_records([])
            return
        campaigns, mode = self.context.campaigns, DmMode(self.status_mode.currentData())
        self.jobs.tasks.run_task("Reading the DM status", lambda: campaigns.status_rows(owner, mode),
                                 self.status_model.set_records, key=STATUS_TASK, owner=self)

    def refresh_funnel(self) -> None:
        owner = self.context.known_owner_id()
        if owner is None:
            self.funnel_model.set_records([])
            self.funnel_notes.setText("Fetch followers and send a campaign: the funnel shows how people took it.")
            self.outreach_churn_label.setText("")
            return
        campaigns = self.context.campaigns
        self.jobs.tasks.run_task("Measuring the campaign funnel", lambda: campaigns.funnel(owner), self._show_funnel,
                                 key=FUNNEL_TASK, owner=self)
        self.jobs.tasks.run_task("Comparing unfollows after DMs", lambda: campaigns.outreach_churn(owner),
                                 self._show_outreach_churn, key=CHURN_TASK, owner=self)

    def _show_funnel(self, measured: funnel.CampaignFunnel) -> None:
        self.funnel_model.set_records(measured.steps)
        self.funnel_notes.setText("\n".join(funnel.notes(measured)))

    def _show_outreach_churn(self, measured: outreach_churn.OutreachChurn) -> None:
        self.outreach_churn_label.setText(outreach_churn.summary(measured))

    # -- automatic mode --------------------------------------------------------------------------------
    def _schedule_auto(self) -> None:
        self.auto_timer.stop()
        self._drop_next_due_read()
        profile = self.context.profile
        owner = self.context.known_owner_id()
        if not (profile.auto_dm and profile.dm_enabled) or owner is None:
            self.next_label.setText("")
            return
        try:
            settings = self.settings()
        except TwExportError as exc:
            self._auto_paused(exc.user_message)
            return
        campaigns = self.context.campaigns
        self._next_due_read = self.jobs.tasks.run_task(
            "Planning the next automatic run", lambda: campaigns.next_due_time(owner, settings), self._show_next_due,
            self._auto_paused, key=NEXT_DUE_TASK, owner=self)

    def _show_next_due(self, due: float | None) -> None:
        self._next_due_read = None
        if due is None:
            self.next_label.setText("Automatic mode: nothing is due.")
            return
        delay_s = max(0.0, due - self.context.clock.now())
        self.next_label.setText(f"Automatic mode: next run {format_local_datetime(due)}.")
        self.auto_timer.start(int(min(delay_s, 24 * 3600) * 1000))  # re-plan at least daily

    def _auto_paused(self, why: str) -> None:
        self._next_due_read = None
        self.next_label.setText(f"Automatic mode paused: {why}")

    def _drop_next_due_read(self) -> None:
        """A schedule still being read must not replace the one set now (a retry later, or a newer read)."""
        if self._next_due_read is not None:
            self._next_due_read.discard()
            self._next_due_read = None

    def _auto_run(self) -> None:
        if not self.jobs.is_running(JobName.DM_CAMPAIGN):
            self.start_campaign(dry_run=False, confirm=False, automatic=True)

    def _on_job_ended(self, name: str, outcome: JobOutcome) -> None:
        """A failed automatic run (X unreachable, a CLI run holding the campaign) is tried again later, not at
        once: re-planning right away would fail the same way in a loop."""
        if name == JobName.DM_CAMPAIGN and outcome == JobOutcome.FAILED:
            self._retry_auto_later(self.jobs.last_error or "")

    def _retry_auto_later(self, why: str) -> None:
        profile = self.context.profile
        if not (profile.auto_dm and profile.dm_enabled):
            return
        self._drop_next_due_read()
        retry_at = self.context.clock.now() + AUTO_RETRY_AFTER_S
        self.auto_timer.start(int(AUTO_RETRY_AFTER_S * 1000))
        self.next_label.setText(f"Automatic mode: the last run stopped ({why.strip()}); trying again at "
                                f"{format_local_datetime(retry_at)}.")

    def open_do_not_contact(self) -> DoNotContactDialog | None:
        owner = self.context.known_owner_id()
        if owner is None:
            messages.info("Fetch followers first: the do-not-contact list holds followers.")
            return None
        dialog = DoNotContactDialog(self.context.do_not_contact, owner, self.jobs.tasks, self)
        dialog.open()
        return dialog

    def _open_settings(self) -> None:
        self.settingsRequested.emit()


def _scrolling(label: QLabel, *, lines: int) -> QScrollArea:
    """`label` in a frameless scroll area at most `lines` text lines high."""
    area = QScrollArea()
    area.setWidget(label)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMaximumHeight(label.fontMetrics().lineSpacing() * lines + 8)
    return area


def _set_checked_silently(box: QCheckBox, checked: bool) -> None:
    """Show a value without running the toggle handler (which would save it or ask for confirmation)."""
    box.blockSignals(True)
    box.setChecked(checked)
    box.blockSignals(False)

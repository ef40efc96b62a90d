"""Program rules per store: edit, preview the impact, then save a new version.

Saving is a two-step flow: "Preview" validates the form (errors at the
field), lists every setting that changes (before -> after) and replays the
members' histories under both programs (`loyalty_sync.analysis.whatif`) to show how
many would change tier or VIP status, and what it costs in money (the books
now, after saving: `admin/preview_money.py`), BEFORE anything is written. "Save" is
accepted only for exactly the rules that were previewed (a digest of them
travels with the form) and only if nobody saved another version meanwhile.

A saved version is in force at once: every page reads it
(`program_in_force`), and saving queues a pass that re-plans every member
under it (`apply.replan_behind_rules`); the page says how far that got.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose

from admin import rules_form
from admin.preview_money import preview_money
from admin.security import SecureBaseView, actor
from admin.store_picker import all_stores, selected_store
from loyalty_sync.analysis import whatif
from loyalty_sync.books.program_versions import InvalidProgram, program_in_force, save_program
from loyalty_sync.books.replan_status import replan_status
from loyalty_sync.extensions import db
from loyalty_sync.models import Category, Product, ProgramVersion
from loyalty_sync.wording import count_of
from sync_jobs.api import request_pass


class RulesView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        if store is None:
            return self.render("loyalty/rules.html", stores=stores, store=None)
        number, program = program_in_force(store)
        return self._render(stores, store, number, program, rules_form.form_values(program), {})

    def _render(self, stores, store, number, program, values, errors, *, preview=None, status=200):
        versions = (
            db.session.execute(
                db.select(ProgramVersion).filter_by(store_id=store.id).order_by(ProgramVersion.number.desc()).limit(20)
            )
            .scalars()
            .all()
        )
        products = db.session.execute(
            db.select(Product.wc_id, Product.name, Product.sku)
            .where(Product.store_id == store.id)
            .order_by(Product.name)
            .limit(5000)
        ).all()
        categories = db.session.execute(
            db.select(Category.wc_id, Category.name).where(Category.store_id == store.id).order_by(Category.name)
        ).all()
        return self.render(
            "loyalty/rules.html",
            stores=stores,
            store=store,
            number=number,
            program=program,
            v=values,
            errors=errors,
            preview=preview,
            versions=versions,
            products=products,
            warnings=(preview or {}).get("warnings") or {},
            replan=replan_status(store),
            categories=categories,
            rf=rules_form,
        ), status

    def _parse(self):
        stores = all_stores()
        store = selected_store(stores)
        if store is None:
            flash("Connect a store first.", "error")
            return None
        number, current = program_in_force(store)
        parsed = rules_form.parse_form(request.form, current, store)
        return stores, store, number, current, parsed

    def _preview(self, current, parsed, store):
        impact = whatif.preview_change(
            store,
            parsed.program,
            current=current,
            max_members=current_app.config.get("WHATIF_MAX_MEMBERS", 20000),
            in_process=True,
        )  # a web worker does not fork replay workers
        return {
            "changes": rules_form.changes(current, parsed.program),
            "impact": impact,
            "digest": parsed.digest,
            "warnings": rules_form.field_warnings(parsed, store),  # shown at the fields; never block saving
            **preview_money(impact.money),
        }

    def _valid_submission(self):
        """(the parsed submission, None), or (None, the response): no store
        to edit, or settings that need attention (shown at the fields)."""
        state = self._parse()
        if state is None:
            return None, redirect(url_for(".index"))
        stores, store, number, current, parsed = state
        if parsed.errors:
            flash(
                f"{count_of(len(parsed.errors), 'setting')} need{'s' if len(parsed.errors) == 1 else ''} attention; "
                "see the messages at the fields.",
                "error",
            )
            return None, self._render(stores, store, number, current, parsed.values, parsed.errors, status=422)
        return state, None

    @expose("/preview", methods=["POST"])
    def preview(self):
        state, response = self._valid_submission()
        if response is not None:
            return response
        stores, store, number, current, parsed = state
        return self._render(
            stores, store, number, current, parsed.values, {}, preview=self._preview(current, parsed, store)
        )

    @expose("/save", methods=["POST"])
    def save(self):
        state, response = self._valid_submission()
        if response is not None:
            return response
        stores, store, number, current, parsed = state
        base_version = request.form.get("base_version", "")
        if base_version != str(number):
            flash(
                f"Someone saved version {number} of the rules meanwhile. Review the preview against it, then save.",
                "error",
            )
            return self._render(
                stores,
                store,
                number,
                current,
                parsed.values,
                {},
                preview=self._preview(current, parsed, store),
                status=409,
            )
        if request.form.get("previewed") != parsed.digest:
            flash("The rules changed since the preview: check the new preview, then save.", "warning")
            return self._render(
                stores, store, number, current, parsed.values, {}, preview=self._preview(current, parsed, store)
            )
        if not rules_form.changes(current, parsed.program):
            flash("Nothing changed; no new version saved.", "info")
            return redirect(url_for(".index", store=store.id))
        note = (request.form.get("note") or "").strip()[:1000]
        try:
            version = save_program(store, parsed.program, actor=actor(), note=note)
        except InvalidProgram as invalid:
            db.session.rollback()
            errors = {e.field: rules_form._sentence(e.message) for e in invalid.errors}
            return self._render(stores, store, number, current, parsed.values, errors, status=422)
        db.session.commit()
        noted = [
            f"{name}: {message}"
            for name, messages in rules_form.field_warnings(parsed, store).items()
            for message in messages
        ]
        if noted:  # warnings never block saving; say them once more
            flash(f"Saved with {count_of(len(noted), 'warning')}: " + " ".join(noted), "warning")
        flash(f"Saved as version {version.number}; every page reads it now. {self._queue_replan(store)}", "success")
        return redirect(url_for(".index", store=store.id))

    @staticmethod
    def _queue_replan(store) -> str:
        """Queue the pass that re-plans the members under the saved version
        (the version is saved whatever happens here: the next scheduled pass
        re-plans them too)."""
        status = replan_status(store)
        if status.state == "done":
            return status.sentence()
        try:
            queued = request_pass(store.id)
        except Exception:  # the worker's own failure; the scheduled pass still re-plans
            current_app.logger.exception("could not queue the re-plan pass of store %s", store.id)
            queued = "The pass could not be queued now; the next scheduled pass re-plans them."
        return f"{status.behind} of {status.members} members are re-planned under it by a sync pass: {queued}"

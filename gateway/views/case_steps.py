"""The steps a dispute's page and a request's or incident's page share: the clock's pause, resumption and
extension (and community staff's decision on it), escalation with a special report, notes and the archive. They
are the same routes of the mediation service (/disputes/<id>/...) for every kind of case, so they are written once
and put on each page's blueprint, which says where its case page lives and how it shows a refused step again.
"""
from collections.abc import Callable

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from gateway.auth import permission_required, principal
from gateway.calls import OBJECT_ID, attempt, checked, flash_outcome, present, service
from gateway.forms.common import ReasonForm
from gateway.forms.mediation import AnnotateForm, EscalateForm, ExtendForm, ExtensionDecisionForm
from gateway.views.entries import typed


def me_():
    return service("mediation")


class CaseSteps:
    """One page's steps: `rule` is its case's URL rule (e.g. "/cases/<case_id>"), `arg` the id's name in it,
    `endpoint` the case page, and `page(case_id, forms=, errors=, open_form=, status=)` renders that page. Made,
    it puts the shared steps on `bp`; `step`, `button` and `back` serve the page's own steps too."""

    def __init__(self, bp: Blueprint, *, rule: str, arg: str, endpoint: str, page: Callable):
        self.bp, self.rule, self.arg, self.endpoint, self.page = bp, rule, arg, endpoint, page
        _shared_steps(self)

    def context(self, forms: dict) -> dict:
        """What the case page needs of the shared steps: their forms (the refused one as sent) and who may take
        the steps only some roles take."""
        me = principal()
        return {
            "pause_form": forms.get("pause") or ReasonForm(formdata=None, prefix="pause"),
            "extend_form": forms.get("extend") or ExtendForm(formdata=None),
            "decision_form": forms.get("decision") or ExtensionDecisionForm(formdata=None, prefix="decision"),
            "escalate_form": forms.get("escalate") or EscalateForm(formdata=None),
            "note_form": forms.get("annotate") or AnnotateForm(formdata=None),
            "can_approve": me.may("disputes.approve"), "can_escalate": me.may("disputes.escalate"),
            "can_annotate": me.may("disputes.annotate"), "can_archive": me.may("disputes.archive"),
        }

    def back(self, case_id: str):
        return redirect(url_for(self.endpoint, **{self.arg: case_id}), code=303)

    def step(self, case_id: str, name: str, form, call, ok_message: str, mapping=None):
        """Run one step of the case from a small form on the case page; back to the case, or the page again with
        the service's reasons on the form (422)."""
        done, errors = attempt(form, call, mapping)
        if done is None:
            return self.refused(case_id, name, form, errors)
        flash(ok_message, "ok")
        return self.back(case_id)

    def refused(self, case_id: str, name: str, form, errors):
        """The case page again with the step's form open and the service's reasons on it (422)."""
        return self.page(case_id, forms={name: form}, errors=errors, open_form=name, status=422)

    def button(self, case_id: str, path: str, ok_message: str):
        """A step without a form: the service's reasons, if it refuses, as a flash message on the case."""
        flash_outcome(lambda: me_().post(path), ok_message)
        return self.back(case_id)

    def route(self, path: str, permission: str):
        """Put a shared step on the blueprint at the case's rule + `path`, named as the function (e.g. desk.pause),
        called with the checked case id."""

        def decorate(view):
            def handler(**ids):
                return view(checked(ids[self.arg], OBJECT_ID))

            self.bp.add_url_rule(self.rule + path, endpoint=view.__name__, methods=["POST"],
                                 view_func=permission_required(permission)(handler))
            return view

        return decorate


def _shared_steps(steps: CaseSteps) -> None:
    @steps.route("/pause", "disputes.read")
    def pause(case_id):
        form = ReasonForm(prefix="pause")
        body = present({"reason": typed(form.reason.data)})
        return steps.step(case_id, "pause", form, lambda: me_().post(f"/disputes/{case_id}/pause", json=body),
                          _("The clock is paused."))

    @steps.route("/resume", "disputes.read")
    def resume(case_id):
        return steps.button(case_id, f"/disputes/{case_id}/resume", _("The clock runs again; the due date moved."))

    @steps.route("/extend", "disputes.read")
    def extend(case_id):
        form = ExtendForm()
        body = present({"working_days": typed(form.working_days.data), "reason": typed(form.reason.data)})
        return steps.step(case_id, "extend", form, lambda: me_().post(f"/disputes/{case_id}/extend", json=body),
                          _("Extension requested: community staff will approve or refuse it."))

    @steps.route("/extend/decision", "disputes.approve")
    def extend_decision(case_id):
        form = ExtensionDecisionForm(prefix="decision")
        decision = form.decision.data
        body = present({"approve": {"approve": True, "refuse": False}.get(decision),
                        "reason": typed(form.reason.data)})
        message = _("The extension is approved; the due date moved.") if decision == "approve" else \
            _("The extension is refused.")
        return steps.step(case_id, "decision", form,
                          lambda: me_().post(f"/disputes/{case_id}/extend/decision", json=body), message,
                          {"approve": "decision"})

    @steps.route("/escalate", "disputes.escalate")
    def escalate(case_id):
        form = EscalateForm()
        body = present({"reasons": form.reasons.data or None, "note": typed(form.note.data),
                        "households_involved": typed(form.households_involved.data)})
        return steps.step(case_id, "escalate", form, lambda: me_().post(f"/disputes/{case_id}/escalate", json=body),
                          _("The case is escalated with a special report to the community and the street."))

    @steps.route("/annotate", "disputes.annotate")
    def annotate(case_id):
        form = AnnotateForm()
        body = present({"text": typed(form.text.data)})
        return steps.step(case_id, "annotate", form,
                          lambda: me_().post(f"/disputes/{case_id}/annotations", json=body), _("Note added."))

    @steps.route("/archive", "disputes.read")
    def archive(case_id):
        return steps.button(case_id, f"/disputes/{case_id}/archive", _("The case is archived."))

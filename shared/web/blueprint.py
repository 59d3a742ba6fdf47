"""Every service's blueprints: flask-smorest's, with a query string as strict as a body, and multipart forms read
whole (their fields and files by one schema: location `form_and_files`)."""
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import RAISE, Schema, ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

UNKNOWN_FIELD = Schema._default_error_messages["unknown"]  # "Unknown field.", as a body's


class StrictParser(FlaskParser):
    """A query parameter the route does not declare is refused (422, naming it), as an unknown field of a body is;
    webargs would drop it, so a misspelt filter would silently list everything."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}
    __location_map__ = dict(form_and_files="load_form_and_files", **FlaskParser.__location_map__)

    def load_form_and_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "form_and_files": "multipart/form-data"}


def refuse_undeclared_query(view, args) -> None:
    """A route that declares no query parameters refuses any (422, naming them): its `?x=` would otherwise be
    ignored without a word."""
    if not args:
        return
    declared = (getattr(view, "_apidoc", None) or {}).get("arguments", {}).get("parameters", [])
    if not any(p.get("in") in ("query", "querystring") for p in declared):
        raise ValidationError({name: [UNKNOWN_FIELD] for name in args})

"""The reasons the households service gives, by code (see shared.reasons).

Import row problems are reasons too: the import report gives each its `code` and `params` beside the English.
"""
from shared.errors import Reason
from shared.reasons import N_, Text

# ---- the register's forms ------------------------------------------------------------------------
ONE_HEAD = Text("household.one_head", "exactly one resident must be the head of household (relation=head)",
                N_("Exactly one resident must be the head of household."))
ID_NUMBER_TWICE = Text("household.id_number_twice", "the same ID number appears twice",
                       N_("The same ID number appears twice."))
BEFORE_SINCE = Text("care.before_since", "must not be before since", N_("Must not be before the start date."))
GRID_OR_COMMUNITY = Text("households.grid_or_community", "give grid_id or community_id",
                         N_("Choose a grid or a community."))
SAY_FOLLOW_UP = Text("visit.say_follow_up", "say what needs following up", N_("Say what needs following up."))
NAME_WHAT_MOVES = Text("redraw.name_what_moves", "name the buildings or households to move",
                       N_("Name the buildings or households to move."))
SEND_A_FILE = Text("import.send_a_file", "send the sheet as a file part named file", N_("Choose the file to upload."))

# ---- hierarchy and grids -------------------------------------------------------------------------
ONLY_ADMIN_STREETS = Text("street.only_admin", "only an admin adds streets", N_("Your role may not do this."))
ONLY_ADMIN_COMMUNITIES = Text("community.only_admin", "only an admin adds communities",
                              N_("Your role may not do this."))
STREET_EXISTS = Text("street.exists", "street %(id)s exists", N_("Street %(id)s already exists."))
COMMUNITY_EXISTS = Text("community.exists", "community %(id)s exists", N_("Community %(id)s already exists."))
GRID_EXISTS = Text("grid.exists", "grid %(id)s exists", N_("Grid %(id)s already exists."))
NO_SUCH_STREET = Text("street.no_such", "no such street", N_("No such street."))
NO_SUCH_COMMUNITY = Text("community.no_such", "no such community", N_("No such community."))
COMMUNITY_NOT_FOUND = Text("community.not_found", "community not found",
                           N_("The community was not found, or is outside your area."))

# ---- households ----------------------------------------------------------------------------------
NOT_A_RESIDENT_HERE = Text("household.not_a_resident_here", "resident %(resident_id)s is not in this household",
                           N_("A resident in the form is not in this household."))
ADDRESS_TAKEN = Text("household.address_taken", "a household is already registered at this address in this grid",
                     N_("A household is already registered at this address in this grid."))
LEFT_NO_EDIT = Text("household.left_no_edit", "the household has left the district; it can no longer be edited",
                    N_("The household has moved out; it can no longer be changed."))
LEFT = Text("household.left", "the household has left the district",
            N_("The household has moved out; it can no longer be changed."))
ALREADY_LEFT = Text("household.already_left", "the household has already left",
                    N_("The household has already moved out."))
ALREADY_IN_GRID = Text("household.already_in_grid", "the household is already in this grid",
                       N_("The household is already in this grid."))
IN_THE_FUTURE = Text("date.in_the_future", "must not be in the future", N_("Must not be in the future."))
RESIDENT_NOT_FOUND = Text("resident.not_found", "resident %(resident_id)s not found", N_("The resident was not found."))
ALREADY_CARRIES = Text("care.already_carries", "resident already carries %(tag)s",
                       N_("The resident already carries this special-care tag."))
CARRIES_NO = Text("care.carries_no", "resident carries no active %(tag)s", N_("The resident carries no such active tag."))
BEFORE_TAG_START = Text("care.before_start", "must not be before the tag's start",
                        N_("Must not be before the start date."))
LOOKUP_OFF = Text("lookup.off", "finding households by number is not configured (LOOKUP_HMAC_KEY)",
                  N_("Finding households by number is switched off."))
LOOKUP_FRAGMENT = Text(
    "lookup.fragment", "give a full 18-character ID number or an 11-digit mobile number; fragments are not searched",
    N_("Give a full 18-character ID number or 11-digit mobile number; parts of numbers are not searched."))

# ---- floating population (流动人口) ----------------------------------------------------------------
PERMIT_NUMBER_FORM = Text("floating.permit_number_form", "a residence permit number is 6 to 30 letters or digits",
                          N_("A residence permit number is 6 to 30 letters or digits."))
EXPIRES_BEFORE_ARRIVAL = Text("floating.expires_before_arrival", "the permit must not expire before the arrival date",
                              N_("The permit cannot expire before the arrival date."))
ONLY_FLOATING = Text("floating.only_floating",
                     "only for a floating household (residency=floating); a registered resident has no permit",
                     N_("Only for floating population: choose the floating residency, or leave this empty."))
PERMIT_NUMBER_TWICE = Text("floating.permit_number_twice", "the same residence permit number appears twice",
                           N_("The same residence permit number appears twice."))
MASKED_PERMIT = Text("import.cell.masked_permit", "a masked residence permit number (from a masked export): give the "
                     "full number or leave it empty",
                     N_("A masked residence permit number (from a masked export): give the full number or leave it "
                        "empty."))
NOT_MONTHS = Text("import.cell.not_months", "not a number of months: write a whole number such as 12",
                  N_("Not a number of months: write a whole number such as 12."))

# ---- visits --------------------------------------------------------------------------------------
CLIENT_ID_TAKEN = Text("visit.client_id_taken", "this client_id belongs to another visit",
                       N_("This entry id belongs to another visit."))
NO_OPEN_FOLLOW_UP = Text("visit.no_open_follow_up", "this visit has no open follow-up",
                         N_("This visit has no open follow-up."))

# ---- redraws -------------------------------------------------------------------------------------
NO_GRID_GIVE_NAME = Text("redraw.no_grid_give_name", "no such grid; give new_grid_name to create it",
                         N_("No such grid; give a name to create it."))
NO_SUCH_GRID = Text("redraw.no_such_grid", "no such grid", N_("No such grid in your area."))
SAME_GRID = Text("redraw.same_grid", "the target is the same grid", N_("The target is the same grid."))
NOT_ACTIVE_IN_GRID = Text("redraw.not_active_in_grid", "not active households of grid %(id)s: %(list)s",
                          N_("Not households living in grid %(id)s: %(list)s"))
NONE_IN_BUILDINGS = Text("redraw.none_in_buildings", "no active household in those buildings",
                         N_("No household lives in those buildings."))
ADDRESSES_TAKEN = Text("redraw.addresses_taken", "%(n)s address(es) already registered in grid %(id)s",
                       N_("%(n)s address(es) are already registered in grid %(id)s."))

# ---- the four-in-one network: residents' groups, building heads, ten-household groups ---------------
BUILDING_NOT_IN_GRID = Text("network.building_not_in_grid", "no household lives in building %(building)s of this grid",
                            N_("No household lives in building %(building)s of this grid."))
BUILDING_NOT_IN_COMMUNITY = Text("network.building_not_in_community",
                                 "no household lives in building %(building)s of this community",
                                 N_("No household lives in building %(building)s of this community."))
HEAD_NOT_IN_BUILDING = Text("network.head_not_in_building",
                            "the chosen resident does not live in building %(building)s of this grid",
                            N_("The chosen resident does not live in this building."))
HEAD_NAME_NEEDED = Text("network.head_name_needed", "choose a resident of the building or give a name",
                        N_("Choose a resident of the building or give a name."))
HEAD_PHONE_NEEDED = Text("network.head_phone_needed", "a building head needs a phone",
                         N_("A building head needs a phone number."))
NO_BUILDING_HEAD = Text("network.no_building_head", "building %(building)s has no building head",
                        N_("This building has no building head."))
GROUP_TOO_SMALL = Text("network.group_too_small", "a ten-household group needs at least %(min)s households",
                       N_("A ten-household group needs at least %(min)s households."))
GROUP_TOO_LARGE = Text("network.group_too_large", "a ten-household group holds at most %(max)s households",
                       N_("A ten-household group holds at most %(max)s households."))
GROUP_HOUSEHOLD_TWICE = Text("network.household_twice", "a household is named twice", N_("A household is named twice."))
LEAD_NOT_A_MEMBER = Text("network.lead_not_a_member", "the lead household must be one of the group's households",
                         N_("The lead household (联户长) must be one of the group's households."))
NOT_HOUSEHOLDS_OF_GRID = Text("network.not_households_of_grid", "not households living in grid %(id)s: %(list)s",
                              N_("Not households living in this grid: %(list)s"))
NOT_HOUSEHOLDS_OF_COMMUNITY = Text("network.not_households_of_community",
                                   "not households living in community %(id)s: %(list)s",
                                   N_("Not households living in this community: %(list)s"))
IN_ANOTHER_GROUP = Text("network.in_another_group", "already in another ten-household group (%(group)s): %(list)s",
                        N_("Already in another ten-household group (%(group)s): %(list)s"))
GROUP_DISSOLVED = Text("network.group_dissolved", "the group has been dissolved",
                       N_("The group has been dissolved."))
RESIDENTS_GROUP_NUMBER_TAKEN = Text("network.residents_group_number_taken",
                                    "residents' group number %(number)s exists in this community",
                                    N_("Residents' group %(number)s already exists in this community."))
GROUP_NEEDS_MEMBERS = Text("network.group_needs_members", "name the buildings or households the group covers",
                           N_("Name the buildings or households the group covers."))

# ---- import and export: the request --------------------------------------------------------------
MODE_ONE_OF = Text("import.mode_one_of", "mode must be one of %(choices)s", N_("Choose one of the listed options."))
FORMAT_ONE_OF = Text("export.format_one_of", "format must be one of %(choices)s",
                     N_("Choose one of the listed options."))
FILE_TOO_LARGE = Text("import.file_too_large", "the file is %(size_mb)s MB; the limit is %(limit_mb)s MB: split it "
                      "into smaller files", N_("The file is %(size_mb)s MB; the limit is %(limit_mb)s MB: split it "
                                               "into smaller files."))
NO_RESIDENTS = Text("import.no_residents", "the file holds a header row but no residents",
                    N_("The file holds a header row but no residents."))
ROWS_REJECTED = Text("import.rows_rejected", "%(n)s row(s) have problems, so nothing was written: fix them and "
                     "upload again, or import with mode=%(mode)s",
                     N_("%(n)s row(s) have problems, so nothing was written: fix them and upload again, or import "
                        "the good rows only."))
STOPPED_KEPT = Text("import.stopped_kept", "the import stopped after %(n)s household(s) because the database "
                    "failed; upload the same file again with mode=%(mode)s: households already written are "
                    "reported as registered and the rest imported",
                    N_("The import stopped after %(n)s household(s) because the database failed. Upload the same "
                       "file again with \"import the good rows only\": households already written are reported "
                       "as registered and the rest imported."))
STOPPED_NOT_TAKEN_BACK = Text(
    "import.stopped_not_taken_back", "the import stopped part-way and could not be taken back yet: the %(n)s "
    "household(s) of import %(import_id)s are taken back automatically once the database answers",
    N_("The import stopped part-way and could not be taken back yet: its %(n)s household(s) are taken back "
       "automatically once the database answers."))
CLASH_TAKEN_BACK = Text(
    "import.clash_taken_back", "another registration took an address of this file while it was being imported; "
    "the %(n)s household(s) written were taken back%(withdrawn_note)s. Upload the file again to see which rows clash",
    N_("Another registration took an address of this file while it was being imported; the %(n)s household(s) "
       "written were taken back. Upload the file again to see which rows clash."))
STOPPED_STALLED = Text(
    "import.stopped_stalled", "the import stopped part-way because it was found stalled and taken back; the %(n)s "
    "household(s) written were taken back%(withdrawn_note)s",
    N_("The import stalled and was taken back; the %(n)s household(s) written were taken back."))
STOPPED_DATABASE = Text(
    "import.stopped_database", "the import stopped part-way because the database failed; the %(n)s household(s) "
    "written were taken back%(withdrawn_note)s",
    N_("The import stopped because the database failed; the %(n)s household(s) written were taken back."))

JOB_INTERRUPTED = Text(
    "import.job_interrupted", "the import was interrupted %(attempts)s time(s) because its API process stopped, and "
    "taken back each time: nothing was written. Upload the file again",
    N_("The import was interrupted %(attempts)s time(s) because the service restarted, and taken back each time: "
       "nothing was written. Upload the file again."))


def withdrawn_note(withdrawn: int) -> str:
    """The English aside of a taken-back import about households already announced (empty when none)."""
    return f" ({withdrawn} already announced to other services are marked as left)" if withdrawn else ""


# ---- import: the file ----------------------------------------------------------------------------
NO_HEADER_NAMES = Text("import.no_header_names", "row 1 holds none of the register's column names; row 1 must be "
                       "the header row with the columns %(expected)s",
                       N_("Row 1 holds none of the register's column names; row 1 must be the header row with the "
                          "columns %(expected)s."))
WRONG_COLUMNS = Text("import.wrong_columns", "wrong columns (%(problems)s); the register's columns are %(expected)s",
                     N_("Wrong columns (missing: %(missing)s; unknown: %(unknown)s; given twice: %(twice)s); the "
                        "register's columns are %(expected)s."))


def wrong_columns(*, missing: list[str], unknown: list[str], twice: list[str], expected: str) -> Reason:
    """WRONG_COLUMNS with the English listing only the kinds of problem found (the page gets all three, "-" if none)."""
    problems = [f"{label}: {'、'.join(names)}" for label, names in (
        ("missing columns", missing), ("unknown columns", unknown), ("columns given twice", twice)) if names]
    reason = WRONG_COLUMNS(problems="; ".join(problems), expected=expected, missing="、".join(missing) or "-",
                           unknown="、".join(unknown) or "-", twice="、".join(twice) or "-")
    return reason


# ---- import: an office's own column names, mapped (remembered per community) ----------------------
UNMAPPED_COLUMNS = Text("import.unmapped_columns", "unknown columns: %(unknown)s; map each to a register column or "
                        "ignore it (mapping), or rename it in the file",
                        N_("The register does not know these columns: %(unknown)s. Choose for each the register "
                           "column it holds, or ignore it."))
MAPPED_TWICE = Text("import.mapped_twice", "the mapping gives a register column twice in this file: %(headers)s",
                    N_("The column mapping gives a register column twice in this file: %(headers)s."))
MAPPING_SHAPE = Text("import.mapping_shape", "mapping must be a JSON object of at most %(max)s entries, each a header "
                     "of the file -> one of %(columns)s, or null to ignore the column",
                     N_("The column mapping is not in the right form."))
MAPPING_NO_SUCH_COLUMN = Text("import.mapping_no_such_column", "%(header)s: no register column %(column)s; use one "
                              "of %(columns)s, or null to ignore it",
                              N_("%(header)s: there is no such register column."))
MAPPING_TWICE = Text("import.mapping_twice", "%(headers)s are both mapped to %(column)s; a register column takes one "
                     "column of the file", N_("%(headers)s are both mapped to %(label)s; choose one."))
FILE_EMPTY = Text("import.file_empty", "the file is empty", N_("The file is empty."))
OLD_EXCEL = Text("import.old_excel", "an old Excel 97–2003 (.xls) or password-protected workbook: remove any "
                 "password and save it as .xlsx (Excel workbook) or CSV",
                 N_("An old Excel 97–2003 (.xls) or password-protected workbook: remove any password and save it "
                    "as .xlsx (Excel workbook) or CSV."))
UNREADABLE_PAST = Text("import.unreadable_past", "the %(what)s cannot be read past this point: %(error)s",
                       N_("The file cannot be read past this point: it is damaged."))
DAMAGED = Text("import.damaged", "the %(what)s is damaged and cannot be read: %(error)s",
               N_("The file is damaged and cannot be read."))
NOT_A_SHEET = Text("import.not_a_sheet", "not a spreadsheet: upload the register as an Excel workbook (.xlsx) or a "
                   "CSV file%(detail)s",
                   N_("Not a spreadsheet: upload the register as an Excel workbook (.xlsx) or a CSV file."))
NOT_A_SHEET_DETAILS = {  # the English aside of NOT_A_SHEET, by its `why` parameter
    "": "", "zip": " (this is a ZIP file but not an Excel workbook)", "damaged_zip": " (this is a damaged ZIP file)",
    "damaged": " (the workbook is damaged)", "encoding": " (this is neither UTF-8 nor GB18030 text)"}


def not_a_sheet(why: str = "") -> Reason:
    """NOT_A_SHEET, with `why` ('', zip, damaged_zip, damaged, encoding) as a parameter and its English aside."""
    return NOT_A_SHEET(why=why, detail=NOT_A_SHEET_DETAILS[why])


NO_WORKSHEET = Text("import.no_worksheet", "the workbook has no worksheet", N_("The workbook has no worksheet."))
HEADER_EMPTY = Text("import.header_empty", "row 1 is empty: row 1 must be the header row",
                    N_("Row 1 is empty: row 1 must be the header row."))
TOO_MANY_CELLS = Text("import.too_many_cells", "the file holds more than %(cells)s cells or %(sheet_rows)s rows "
                      "(blank ones too); a register is at most %(max_rows)s rows of %(columns)s columns: delete the "
                      "empty rows and columns, or split it",
                      N_("The file holds more than %(cells)s cells or %(sheet_rows)s rows (blank ones too); a "
                         "register is at most %(max_rows)s rows of %(columns)s columns: delete the empty rows and "
                         "columns, or split it."))
TOO_MANY_ROWS = Text("import.too_many_rows", "too many rows: the file holds more than %(max_rows)s rows; split it "
                     "into smaller files (one grid each)",
                     N_("Too many rows: the file holds more than %(max_rows)s rows; split it into smaller files (one "
                        "grid each)."))
TOO_SLOW = Text("import.too_slow", "the %(what)s takes too long to read (over %(seconds)s s): split it into smaller "
                "files", N_("The file takes too long to read (over %(seconds)s s): split it into smaller files."))
TOO_MUCH_MEMORY = Text("import.too_much_memory", "the %(what)s needs more than %(mb)s MB of memory to read: split it "
                       "into smaller files, or save it again as an ordinary .xlsx or CSV",
                       N_("The file needs more than %(mb)s MB of memory to read: split it into smaller files, or "
                          "save it again as an ordinary .xlsx or CSV."))
WORKBOOK_TOO_LARGE = Text("import.workbook_too_large", "the workbook is too large to read: %(what)s (the limit is "
                          "%(limit)s); save it again from Excel or WPS as an ordinary .xlsx, or split it into "
                          "smaller files",
                          N_("The workbook is too large to read: save it again from Excel or WPS as an ordinary "
                             ".xlsx, or split it into smaller files."))

# ---- import: row problems ------------------------------------------------------------------------
FORMULA = Text("import.cell.formula", "formulas are not accepted: type the value itself",
               N_("Formulas are not accepted: type the value itself."))
EXCEL_ERROR = Text("import.cell.excel_error", "an Excel error value (%(value)s)", N_("An Excel error value (%(value)s)."))
TIME_NOT_TEXT = Text("import.cell.time", "a time where text or a date is expected",
                     N_("A time where text or a date is expected."))
DATE_NOT_TEXT = Text("import.cell.date_not_text", "a date where text is expected", N_("A date where text is expected."))
NOT_A_DATE = Text("import.cell.not_a_date", "not a date: write it as 1950-01-31",
                  N_("Not a date: write it as 1950-01-31."))
NO_SUCH_DATE = Text("import.cell.no_such_date", "no such date", N_("No such date."))
UNKNOWN_VALUE = Text("import.cell.unknown_value", "unknown value %(value)r: use %(labels)s",
                     N_("Unknown value \"%(value)s\": use %(labels)s."))
ID_AS_NUMBER = Text("import.cell.id_as_number", "the ID number was stored as a number, which loses its last digits: "
                    "format the column as text and type the numbers again",
                    N_("The ID number was stored as a number, which loses its last digits: format the column as "
                       "text and type the numbers again."))
ID_SCIENTIFIC = Text("import.cell.id_scientific", "the ID number was turned into a number (like 1.10105E+17) and "
                     "lost its last digits: format the column as text and type the numbers again",
                     N_("The ID number was turned into a number (like 1.10105E+17) and lost its last digits: format "
                        "the column as text and type the numbers again."))
MASKED_ID = Text("import.cell.masked_id", "a masked ID number (from a masked export): give the full number or leave "
                 "it empty", N_("A masked ID number (from a masked export): give the full number or leave it empty."))
MASKED_PHONE = Text("import.cell.masked_phone", "a masked phone number (from a masked export): give the full number "
                    "or leave it empty",
                    N_("A masked phone number (from a masked export): give the full number or leave it empty."))
UNKNOWN_CARE = Text("import.cell.unknown_care", "unknown care type %(label)r: use %(labels)s",
                    N_("Unknown care type \"%(label)s\": use %(labels)s."))
NO_HEADER_COLUMN = Text("import.row.no_header_column", "a value in column %(column)s, which has no header",
                        N_("A value in column %(column)s, which has no header."))
BUILDING_ROOM_REQUIRED = Text("import.row.building_room_required", "required: every row needs 楼栋 and 房号 (merged "
                              "cells leave the rows below them empty: unmerge and fill them in)",
                              N_("Required: every row needs 楼栋 and 房号 (merged cells leave the rows below them "
                                 "empty: unmerge and fill them in)."))
SAME_ID_AS_ROW = Text("import.row.same_id_number", "the same ID number as row %(row)s",
                      N_("The same ID number as row %(row)s."))
DIFFERS_FROM_ROW = Text("import.row.differs", "differs from row %(row)s of the same household (%(address)s): one "
                        "household has one %(column)s",
                        N_("Differs from row %(row)s of the same household (%(address)s): one household has one "
                           "%(column)s."))
NO_HEAD_ROW = Text("import.row.no_head", "no row of the household at %(address)s is 户主; exactly one must be",
                   N_("No row of the household at %(address)s is 户主; exactly one must be."))
SECOND_HEAD = Text("import.row.second_head", "a second 户主 at %(address)s (the first is row %(row)s): one address "
                   "holds one household",
                   N_("A second 户主 at %(address)s (the first is row %(row)s): one address holds one household."))
OTHER_HEAD = Text("import.row.other_head", "the 户主 of %(address)s is %(head)s (row %(row)s), not %(named)s",
                  N_("The 户主 of %(address)s is %(head)s (row %(row)s), not %(named)s."))
TOO_MANY_RESIDENTS = Text("import.row.too_many_residents", "%(rows)s rows at %(address)s: a household holds at most "
                          "%(max)s residents",
                          N_("%(rows)s rows at %(address)s: a household holds at most %(max)s residents."))
ADDRESS_TAKEN_MEANWHILE = Text("import.row.address_taken_meanwhile", "a household was registered at this address "
                               "while the file was being imported",
                               N_("A household was registered at this address while the file was being imported."))
# A column with several problems: the English joins them with "; ", `params.reasons` lists each {code, params}.
SEVERAL = Text("import.row.several", "%(text)s", N_("%(text)s"))


def several(reasons: list[Reason]) -> Reason:
    """One reason for a column with several: itself when one; else SEVERAL, its English the reasons joined by '; '."""
    if len(reasons) == 1:
        return reasons[0]
    text = "; ".join(reasons)
    return Reason(text, code=SEVERAL.code, params={"text": text, "reasons": [r.as_json() for r in reasons]})

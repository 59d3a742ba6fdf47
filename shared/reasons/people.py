"""The reasons shared.validators gives for personal data: ID numbers, phones, free text (see shared.reasons)."""
from shared.reasons import N_, Text

CONTROL_CHARACTERS = Text(
    "text.control_characters",
    "contains control or invisible characters (such as \\x01 or a direction override): type the text again",
    N_("Contains control or invisible characters: type the text again."))
ID_NUMBER_FORM = Text("id_number.form", "ID number must be 17 digits and a digit or X (18 characters)",
                      N_("An ID number is 17 digits and a digit or X (18 characters)."))
ID_NUMBER_NO_BIRTH_DATE = Text("id_number.no_birth_date", "ID number holds no valid birth date",
                               N_("The ID number holds no valid date of birth."))
ID_NUMBER_IMPOSSIBLE_BIRTH_DATE = Text("id_number.impossible_birth_date", "ID number holds an impossible birth date",
                                       N_("The ID number holds an impossible date of birth."))
ID_NUMBER_CHECK = Text("id_number.check_character", "ID number check character is wrong",
                       N_("The ID number's check character is wrong; please check it."))
PHONE_FORM = Text("phone.form", "phone must be a mainland mobile number of 11 digits starting with 1",
                  N_("A mobile number has 11 digits and starts with 1."))

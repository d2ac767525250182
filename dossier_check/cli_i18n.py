"""French for click's own messages (usage errors, help headings).

click marks its strings with gettext; we map the ones users meet to French
by replacing the ``_``/``ngettext`` names click's modules imported.
"""
from __future__ import annotations

import re

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

_FR = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Error": "Erreur",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "No such option {name!r}.": "Option inconnue : « {name} ».",
    "unknown error": "erreur inconnue",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier « {filename} » : {message}",
    "Try {command!r} for help.": "Essayez « {command} » pour l'aide.",
    "Missing argument {param_hint}.": "Argument manquant : {param_hint}.",
    "Missing option {param_hint}.": "Option manquante : {param_hint}.",
    "Missing parameter: {param_type}": "Paramètre manquant : {param_type}",
    "Missing {param_type}": "{param_type} manquant",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "No such option: {name}": "Option inconnue : {name}",
    "No such command {name!r}.": "Commande inconnue : « {name} ».",
    "Option {name!r} requires an argument.": "L'option « {name} » demande une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option « {name} » demande {nargs} valeurs.",
    "Got unexpected extra argument ({args})": "Argument inattendu ({args})",
    "Got unexpected extra arguments ({args})": "Arguments inattendus ({args})",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Possible options: {possibilities})": "(options possibles : {possibilities})",
    "{value!r} is not {choice}.": "« {value} » n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "« {value} » ne fait pas partie de : {choices}.",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un {number_type} valide.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » est un dossier.",
    "{name} {filename!r} is a file.": "{name} « {filename} » est un fichier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » n'est pas lisible.",
    "File": "Fichier",
    "Directory": "Dossier",
    "Path": "Chemin",
    "Aborted!": "Interrompu.",
    "default": "par défaut",
    "default: {default}": "par défaut\u00a0: {default}",  # no-break space: never wrapped apart
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » demande {nargs} valeurs.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » n'est pas accessible en écriture.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "« {value} » n'est pas une valeur oui/non valide. Valeurs reconnues : {states}",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "Missing command.": "Commande manquante.",
    "Positional arguments": "Arguments",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(dynamique)",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "required": "obligatoire",
    "(deprecated)": "(obsolète)",
    "integer": "entier",
    "float": "nombre",
}
_FR_PLURAL = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Argument inattendu ({args})", "Arguments inattendus ({args})"),
    ("Did you mean {possibility}?", "(Possible options: {possibilities})"): (
        "Vouliez-vous dire {possibility} ?", "(options possibles : {possibilities})"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "« {value} » n'est pas {choice}.", "« {value} » ne fait pas partie de : {choices}."),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "L'option « {name} » demande une valeur.", "L'option « {name} » demande {nargs} valeurs."),
}


def _(message: str) -> str:
    return _FR.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    pair = _FR_PLURAL.get((singular, plural))
    if pair:
        return pair[0] if n == 1 else pair[1]
    return _(singular) if n == 1 else _(plural)


def install() -> None:
    for mod in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(mod, "_"):
            mod._ = _
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext


_NBSP_BEFORE = re.compile(r" ([:;!?»])")


def french_spaces(text: str) -> str:
    """Replace the ordinary space before : ; ! ? » by a no-break space."""
    return _NBSP_BEFORE.sub("\u00a0\\1", text)

"""click commands and options whose help and usage errors follow the language of the run.

Every ``kktemu`` command is a ``LocalizedCommand`` (or ``LocalizedGroup``) and
every option a ``LocalizedOption``. Their texts are catalogue keys (``i18n``),
rendered in the language the root group resolved: ``--lang`` wherever it
appears on the command line, else the locale. ``RootGroup`` finds ``--lang``
before click parses anything, so ``kktemu serve --help --lang ru`` and
``kktemu serve --bogus --lang ru`` are Russian too, and it turns click's usage
errors into ``LocalizedUsageError`` (exit status 2).
"""

from __future__ import annotations

import copy
import inspect

import click

from .i18n import LANGUAGES, message, resolve_language
from .usage_errors import InvalidOptionValue, UnexpectedArguments, localize_usage_error


def context_language(ctx: click.Context | None) -> str:
    """Return the language of the run that ``ctx`` belongs to: the root's choice, else the locale's."""
    settings = ctx.find_root().obj if ctx is not None else None
    if isinstance(settings, dict) and settings.get("lang") in LANGUAGES:
        return settings["lang"]
    return resolve_language(None)


def language_in_args(args: list[str]) -> str:
    """Return the language that ``--lang VALUE`` or ``--lang=VALUE`` in ``args`` selects, else the locale's.

    The last valid occurrence before a ``--`` wins, as click applies the last
    one. An invalid value is left for click to reject.
    """
    chosen = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        if value in LANGUAGES:
            chosen = value
    return chosen or resolve_language(None)


class LocalizedOption(click.Option):
    """An option whose help text is the catalogue entry ``help_key`` in the language of the run.

    ``help`` keeps the English text for code that reads it directly. A value
    that fails its type's check raises ``InvalidOptionValue``, which carries
    the value as given, so the error can name it in any language.
    """

    def __init__(self, *args, help_key: str, **kwargs):
        kwargs.pop("help", None)  # click.version_option sets an English default
        super().__init__(*args, help=message(help_key, "en"), **kwargs)
        self.help_key = help_key

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """Return the option's names and its help text, with the default and range, in the run's language."""
        lang = context_language(ctx)
        localized = copy.copy(self)
        localized.help = message(self.help_key, lang)
        record = click.Option.get_help_record(localized, ctx)
        if record is None or lang == "en" or not hasattr(self, "get_help_extra"):
            return record
        # click writes "[default: ...; required]" in English; rebuild the bracket (click 8.2 and later).
        extra = self.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append(message("help_extra_envvar", lang, names=", ".join(extra["envvars"])))
        if "default" in extra:
            items.append(message("help_extra_default", lang, value=extra["default"]))
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(message("help_extra_required", lang))
        text = localized.help
        if items:
            text = f"{text}  [{'; '.join(items)}]"
        return record[0], text

    def handle_parse_result(self, ctx: click.Context, opts, args):
        """Process the option's value; raise InvalidOptionValue naming the value when its type rejects it."""
        try:
            return super().handle_parse_result(ctx, opts, args)
        except click.BadParameter as exc:
            if isinstance(exc, (click.MissingParameter, InvalidOptionValue)) or self.name not in opts:
                raise
            raise InvalidOptionValue(exc.message, ctx, self, opts[self.name]) from exc


class _LocalizedTexts:
    """Help and usage rendering shared by ``LocalizedCommand`` and ``LocalizedGroup``."""

    help_key: str
    short_help_key: str | None
    epilog_key: str | None

    def _init_texts(self, kwargs: dict, help_key: str, short_help_key: str | None, epilog_key: str | None) -> None:
        kwargs["help"] = message(help_key, "en")
        if short_help_key is not None:
            kwargs["short_help"] = message(short_help_key, "en")
        if epilog_key is not None:
            kwargs["epilog"] = message(epilog_key, "en")
        self.help_key = help_key
        self.short_help_key = short_help_key
        self.epilog_key = epilog_key

    def localized_short_help(self, lang: str, limit: int) -> str:
        """Return the one-line description that a group's command list shows, in ``lang``."""
        if self.short_help_key is not None:
            return message(self.short_help_key, lang)
        localized = copy.copy(self)
        localized.help = message(self.help_key, lang)
        localized.short_help = None
        return click.Command.get_short_help_str(localized, limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """Return the usage line after the command path, with "[OPTIONS]" in the run's language."""
        pieces = super().collect_usage_pieces(ctx)
        lang = context_language(ctx)
        return [message("usage_options_metavar", lang) if piece == self.options_metavar else piece
                for piece in pieces]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the usage line with its prefix in the run's language."""
        prefix = message("usage_prefix", context_language(ctx)) + " "
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=prefix)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the command's description in the run's language."""
        text = inspect.cleandoc(message(self.help_key, context_language(ctx))).partition("\f")[0]
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the options section with its title and the help option's text in the run's language."""
        lang = context_language(ctx)
        help_names = set(self.get_help_option_names(ctx)) if self.add_help_option else set()
        records = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):
                continue
            record = param.get_help_record(ctx)
            if record is not None and help_names and set(param.opts) == help_names:
                record = (record[0], message("help_help", lang))
            if record is not None:
                records.append(record)
        if records:
            with formatter.section(message("help_options_title", lang)):
                formatter.write_dl(records)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the epilog, when the command has one, in the run's language."""
        if self.epilog_key is None:
            return
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(inspect.cleandoc(message(self.epilog_key, context_language(ctx))))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse ``args``; raise UnexpectedArguments for arguments the command does not take.

        A usage error of click's option parser gets ``ctx``, which the parser
        leaves out, so that its message can look the option up.
        """
        allowed = ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError as exc:
            if exc.ctx is None:
                exc.ctx = ctx
            raise
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            raise UnexpectedArguments(rest, ctx)
        return rest


class LocalizedCommand(_LocalizedTexts, click.Command):
    """A command whose description (``help_key``), one-line summary (``short_help_key``) and
    epilog (``epilog_key``) are catalogue entries shown in the language of the run."""

    def __init__(self, *args, help_key: str, short_help_key: str | None = None, epilog_key: str | None = None,
                 **kwargs):
        self._init_texts(kwargs, help_key, short_help_key, epilog_key)
        super().__init__(*args, **kwargs)


class LocalizedGroup(_LocalizedTexts, click.Group):
    """A command group with catalogue texts like ``LocalizedCommand``; its subcommands are localized as well."""

    def __init__(self, *args, help_key: str, short_help_key: str | None = None, epilog_key: str | None = None,
                 **kwargs):
        self._init_texts(kwargs, help_key, short_help_key, epilog_key)
        super().__init__(*args, **kwargs)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """Return the usage line after the group path, with "COMMAND [ARGS]..." in the run's language."""
        pieces = super().collect_usage_pieces(ctx)
        lang = context_language(ctx)
        return [message("usage_command_metavar", lang) if piece == self.subcommand_metavar else piece
                for piece in pieces]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the options section, then the command list."""
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the command list with the summaries in the run's language."""
        lang = context_language(ctx)
        commands = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = []
        for name, command in commands:
            if isinstance(command, _LocalizedTexts):
                rows.append((name, command.localized_short_help(lang, limit)))
            else:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section(message("help_commands_title", lang)):
            formatter.write_dl(rows)


class RootGroup(LocalizedGroup):
    """The ``kktemu`` group: resolves the language first and reports usage errors in it."""

    def make_context(self, info_name, args, parent=None, **extra):
        """Create the root context with ``obj["lang"]`` set from ``--lang`` anywhere in ``args``, or the locale."""
        lang = language_in_args(list(args))
        settings = extra.get("obj")
        if settings is None:
            settings = extra["obj"] = {}
        if isinstance(settings, dict):
            settings["lang"] = lang
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise localize_usage_error(exc, lang) from exc

    def invoke(self, ctx: click.Context):
        """Run the subcommand; report a usage error of its parsing in the run's language."""
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise localize_usage_error(exc, context_language(ctx)) from exc

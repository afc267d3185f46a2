"""click's usage errors in the user's language, with the value and the fix, exit status 2.

click reports a bad option value, an unknown option or a missing argument in
English. ``localize_usage_error`` reads what went wrong from the exception's
fields (the option, its type, the value as given) and builds the message from
the catalogue (``i18n``) instead, so no English text is translated.
"""

from __future__ import annotations

import os
from typing import IO, Any

import click

from .i18n import ERROR_PREFIX, message

# NoSuchCommand exists from click 8.4; earlier versions raise a plain UsageError.
_NO_SUCH_COMMAND = getattr(click.exceptions, "NoSuchCommand", None)


class InvalidOptionValue(click.BadParameter):
    """A value that the option's type rejected; ``value`` is the value as given on the command line."""

    def __init__(self, text: str, ctx: click.Context, param: click.Parameter, value: Any):
        super().__init__(text, ctx=ctx, param=param)
        self.value = value


class UnexpectedArguments(click.UsageError):
    """Arguments after the last one a command takes; ``arguments`` lists them."""

    def __init__(self, arguments: list[str], ctx: click.Context):
        self.arguments = list(arguments)
        super().__init__(_extra_arguments(self.arguments, "en"), ctx)


class LocalizedUsageError(click.UsageError):
    """A usage error shown in ``lang``: the usage line, the help hint and "Error: ..."; click exits with 2."""

    def __init__(self, text: str, ctx: click.Context | None, lang: str):
        super().__init__(text, ctx)
        self.lang = lang

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the usage line, the help hint and the message in the error's language to ``file`` (stderr)."""
        ctx = self.ctx
        color = ctx.color if ctx is not None else None
        if ctx is not None:
            hint = ""
            names = ctx.command.get_help_option_names(ctx) if ctx.command.add_help_option else []
            if names:
                hint = message("usage_hint", self.lang, command=ctx.command_path, option=max(names, key=len)) + "\n"
            click.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
        click.echo(f"{ERROR_PREFIX[self.lang]} {self.format_message()}", file=file, err=file is None, color=color)


def localize_usage_error(exc: click.UsageError, lang: str) -> click.UsageError:
    """Return ``exc`` as a ``LocalizedUsageError`` in ``lang``.

    A request for help (a group called without a command) and an error that is
    already localized are returned unchanged.
    """
    if isinstance(exc, (LocalizedUsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    return LocalizedUsageError(describe_usage_error(exc, lang), exc.ctx, lang)


def describe_usage_error(exc: click.UsageError, lang: str) -> str:
    """Return the message for a click usage error in ``lang``, naming the option or value and the fix."""
    if isinstance(exc, click.MissingParameter):
        return _missing(exc, lang)
    if isinstance(exc, InvalidOptionValue):
        return _invalid_value(exc.param, exc.value, lang)
    if isinstance(exc, click.BadParameter):
        name = _parameter_name(exc.param) if exc.param is not None else "?"
        return message("usage_invalid_parameter", lang, name=name)
    if isinstance(exc, click.NoSuchOption):
        return message("usage_no_such_option", lang, name=exc.option_name,
                       suggestion=_suggestion(exc.possibilities, lang))
    if _NO_SUCH_COMMAND is not None and isinstance(exc, _NO_SUCH_COMMAND):
        return message("usage_no_such_command", lang, name=exc.command_name,
                       suggestion=_suggestion(exc.possibilities, lang))
    if isinstance(exc, click.BadOptionUsage):
        return _option_usage(exc, lang)
    if isinstance(exc, UnexpectedArguments):
        return _extra_arguments(exc.arguments, lang)
    if type(exc) is click.UsageError and exc.ctx is not None and isinstance(exc.ctx.command, click.Group):
        # The only plain usage error of a group: options but no command ("Missing command.").
        commands = sorted(exc.ctx.command.list_commands(exc.ctx))
        return message("usage_missing_command", lang, commands=", ".join(commands))
    return message("usage_other", lang, detail=exc.format_message())


def _parameter_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _missing(exc: click.MissingParameter, lang: str) -> str:
    param = exc.param
    if param is None:
        return message("usage_invalid_parameter", lang, name="?")
    key = "usage_missing_argument" if isinstance(param, click.Argument) else "usage_missing_option"
    return message(key, lang, name=_parameter_name(param))


def _suggestion(possibilities: list[str] | None, lang: str) -> str:
    if not possibilities:
        return ""
    return message("usage_did_you_mean", lang, names=", ".join(sorted(possibilities)))


def _option_usage(exc: click.BadOptionUsage, lang: str) -> str:
    option = None
    if exc.ctx is not None:
        option = next((param for param in exc.ctx.command.get_params(exc.ctx)
                       if exc.option_name in (*param.opts, *param.secondary_opts)), None)
    if isinstance(option, click.Option) and (option.is_flag or option.count):
        return message("usage_option_takes_no_value", lang, name=exc.option_name)
    metavar = "VALUE"
    if isinstance(option, click.Option):
        metavar = option.metavar or option.type.name.upper()
    return message("usage_option_needs_value", lang, name=exc.option_name, metavar=metavar)


def _extra_arguments(arguments: list[str], lang: str) -> str:
    key = "usage_extra_argument" if len(arguments) == 1 else "usage_extra_arguments"
    return message(key, lang, arguments=" ".join(arguments))


def _invalid_value(param: click.Parameter, value: Any, lang: str) -> str:
    """Describe why ``param``'s type rejected ``value``, by the type's own limits."""
    name = _parameter_name(param)
    shown = value if isinstance(value, str) else " ".join(map(str, value))
    kind = param.type
    if isinstance(kind, click.Choice):
        return message("usage_not_a_choice", lang, name=name, value=shown,
                       choices=", ".join(map(str, kind.choices)))
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        whole = isinstance(kind, click.types.IntParamType)
        expected = _expected_number(kind, whole, lang)
        try:
            (int if whole else float)(shown)
        except ValueError:
            key = "usage_not_a_whole_number" if whole else "usage_not_a_number"
        else:
            key = "usage_out_of_range"
        return message(key, lang, name=name, value=shown, expected=expected)
    if isinstance(kind, click.Path):
        if not kind.dir_okay and os.path.isdir(shown):
            return message("usage_path_is_directory", lang, name=name, value=shown)
        if not kind.file_okay and os.path.isfile(shown):
            return message("usage_path_is_file", lang, name=name, value=shown)
        if kind.exists and not os.path.exists(shown):
            return message("usage_path_missing", lang, name=name, value=shown)
    return message("usage_invalid_value", lang, name=name, value=shown)


def _expected_number(kind: click.ParamType, whole: bool, lang: str) -> str:
    number = message("usage_number_whole" if whole else "usage_number_any", lang)
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    if getattr(kind, "min_open", False) or getattr(kind, "max_open", False):
        return message("usage_bounds_range", lang, number=number, range=kind._describe_range())
    if low is not None and high is not None:
        return message("usage_bounds_between", lang, number=number, min=low, max=high)
    if low is not None:
        return message("usage_bounds_min", lang, number=number, min=low)
    if high is not None:
        return message("usage_bounds_max", lang, number=number, max=high)
    return number

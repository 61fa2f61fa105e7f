"""One module per ``python -m training`` command, each with ``add_parser`` and ``run``, in the
order ``--help`` lists them (as ``emgviewer/cli`` has one per app command)."""

from training import external, fold_export, patient_regression, posthoc_table, row_export
from training.commands import card, evaluate, export, models, reproduce, train

#: Every command module, in the order of the help.
COMMANDS = (train, evaluate, export, reproduce, card, fold_export, posthoc_table, patient_regression, row_export,
            external, models)

"""Name suggestions for the "new ..." dialogs."""
from board_models import next_free_name as next_board_name
from models import Workspace, next_free_name


def suggest(kind, name):
    if kind == "board":
        return next_board_name(name)
    return next_free_name(name)


def workspace_for(name):
    return Workspace.query.filter_by(name=name).first()

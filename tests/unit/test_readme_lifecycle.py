from pathlib import Path

from models.lifecycle import ACTIONS, GRANT_STATES
from models.lifecycle_docs import BEGIN, END, generate

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lifecycle_section_is_generated_from_the_declaration():
    text = README.read_text()
    committed = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert committed == generate(), "run: python -m models.lifecycle_docs README.md"


def test_generated_docs_name_every_action_and_state():
    generated = generate()
    for action in ACTIONS:
        assert f"`{action.key}`" in generated
    for state in GRANT_STATES:
        assert f"`{state.key}`" in generated

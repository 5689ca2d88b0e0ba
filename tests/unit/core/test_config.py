"""Settings: the commented default file, what each setting accepts, and one line per problem."""

from __future__ import annotations

import tomllib

from k8slab import config


def test_first_start_writes_the_commented_defaults_which_parse_to_the_defaults(tmp_path):
    path = tmp_path / "k8slab" / "config.toml"
    loaded = config.load(str(path))
    assert path.exists()
    text = path.read_text()
    assert "# key_mode = \"emacs\"" in text and "# nodes = 3" in text
    assert tomllib.loads(text) == {"shell": {}, "cluster": {}}  # every setting is commented out
    assert (loaded.key_mode, loaded.theme, loaded.pager, loaded.nodes, loaded.toolbar) == ("emacs", "dark", "auto", 3, True)
    assert loaded.problems == []
    # Uncommenting a line changes that setting, as the file's header says.
    path.write_text(text.replace('# key_mode = "emacs"', 'key_mode = "vi"').replace("# nodes = 3", "nodes = 2"))
    again = config.load(str(path))
    assert (again.key_mode, again.nodes, again.problems) == ("vi", 2, [])


def test_no_file_is_written_when_not_asked(tmp_path):
    path = tmp_path / "config.toml"
    config.load(str(path), create=False)
    assert not path.exists()


def test_each_bad_setting_is_one_line_and_the_default_stays(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[shell]\nkey_mode = "nano"\ntoolbar = "yes"\ncolour = "auto"\n[cluster]\nnodes = 99\n'
                    '[lessons]\ndir = "x"\n')
    loaded = config.load(str(path))
    assert (loaded.key_mode, loaded.toolbar, loaded.nodes) == ("emacs", True, 3)
    assert len(loaded.problems) == 5
    text = "\n".join(loaded.problems)
    assert "key_mode = 'nano': expected one of 'emacs', 'vi'" in text
    assert "toolbar = 'yes': expected true or false" in text
    assert "colour: unknown setting ignored (known: key_mode, color" in text
    assert "nodes = 99: expected 1 to 50" in text
    assert "unknown section [lessons]" in text


def test_a_file_that_is_not_toml_falls_back_to_the_defaults(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[shell\nkey_mode = vi\n")
    loaded = config.load(str(path))
    assert loaded.key_mode == "emacs"
    assert len(loaded.problems) == 1 and str(path) in loaded.problems[0] and "using the defaults" in loaded.problems[0]


def test_where_the_file_lives(monkeypatch, tmp_path):
    monkeypatch.delenv("K8SLAB_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config.config_path() == str(tmp_path / "k8slab" / "config.toml")
    monkeypatch.setenv("K8SLAB_CONFIG", "/elsewhere.toml")
    assert config.config_path() == "/elsewhere.toml"

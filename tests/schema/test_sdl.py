from schema import SDL_PATH, sdl


def test_committed_sdl_matches_the_code() -> None:
    """Schema changes must show up in review: regenerate with `planasmun print-schema`."""
    assert SDL_PATH.read_text(encoding="utf-8") == sdl(), (
        "schema/schema.graphql is stale: run `planasmun print-schema > schema/schema.graphql`"
    )

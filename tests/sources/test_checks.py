from sources.checks import fetching_private_addresses


def test_deploy_check_warns_when_private_fetching_is_allowed(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    assert [warning.id for warning in fetching_private_addresses(None)] == ["sources.W001"]
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    assert fetching_private_addresses(None) == []

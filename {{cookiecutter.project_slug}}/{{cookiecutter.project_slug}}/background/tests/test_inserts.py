"""``insert_row()`` writes only rows whose every value is known in Python, and says so."""

import pytest
from django.db import models
from django.db.models.functions import Lower
from django.test.utils import isolate_apps

from {{ cookiecutter.project_slug }}.background.inserts import insert_row


@isolate_apps("{{ cookiecutter.project_slug }}.background")
@pytest.mark.parametrize(
    "computed",
    [
        models.IntegerField(db_default=0),
        models.GeneratedField(
            expression=Lower("name"), output_field=models.TextField(), db_persist=True
        ),
    ],
    ids=["db_default", "generated"],
)
def test_a_row_with_a_column_the_database_computes_is_refused(
    computed: models.Field[object, object],
) -> None:
    class Computed(models.Model):
        name = models.TextField()
        value = computed

        class Meta:
            app_label = "background"

        def __str__(self) -> str:
            return self.name

    with pytest.raises(TypeError, match=r"cannot write Computed: the database computes value; "
                                        r"save it with the ORM instead"):  # fmt: skip
        insert_row(Computed(name="Lamp"))

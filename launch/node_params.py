"""Launch-decided parameters of the aegis nodes, in a params file that names the node.

rclnodejs (2.x) merges parameter overrides per name with the wildcard (`/**`) entries first and the
entries under the node's own name last, whatever their order on the command line
(rclnodejs lib/node.js `_getNativeParameterOverrides`). A parameters dict in a launch file, and a
`-p name:=value`, are wildcard entries; so any `aegis_shield: ros__parameters: urdf_file: ...` in a
params file would silently beat the launch's `urdf:=` (and a hardware bringup's
`core.autoActivate: false`). `NodeParams(name, values)` is a substitution that performs the values'
substitutions, writes them under the node's name to a temporary params file and returns its path:
given after the user's params file in `parameters=[...]`, the launch's values win (among entries
under the node's name the later file wins). tests/ros/launch-params.test.ts checks both facts.
"""
import tempfile

import yaml
from launch.some_substitutions_type import SomeSubstitutionsType
from launch.substitution import Substitution
from launch.utilities import normalize_to_list_of_substitutions, perform_substitutions


class NodeParams(Substitution):
    """A params file `{node: {ros__parameters: values}}`; substitution values are parsed as YAML scalars, as launch_ros does."""

    def __init__(self, node_name: str, values: dict):
        super().__init__()
        self.node_name = node_name
        self.values = {
            key: value if isinstance(value, (bool, int, float)) else normalize_to_list_of_substitutions(value)
            for key, value in values.items()
        }

    def describe(self) -> str:
        return f'NodeParams({self.node_name}: {", ".join(self.values)})'

    def perform(self, context) -> str:
        performed = {}
        for key, value in self.values.items():
            if isinstance(value, (bool, int, float)):
                performed[key] = value
            else:
                text = perform_substitutions(context, value)
                parsed = yaml.safe_load(text) if text != '' else ''
                performed[key] = parsed if isinstance(parsed, (bool, int, float)) else text
        with tempfile.NamedTemporaryFile('w', prefix=f'{self.node_name}_launch_params_', suffix='.yaml', delete=False) as f:
            yaml.safe_dump({self.node_name: {'ros__parameters': performed}}, f)
        return f.name

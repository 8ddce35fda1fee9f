"""aegis_control with the embedded MuJoCo simulation as a ROS node, for ROS
machines without Gazebo.

The sim node (aegis_sim) steps MuJoCo in real time, publishes /joint_states,
/imu and /clock, and applies the shield's commands from
/forward_position_controller/commands (the same topic and message the
forward_command_controller takes). robot_state_publisher, the shield and the
policy run on sim time.

    ros2 launch aegis_control embedded_sim.launch.py

Each of our nodes takes a command prefix (sim_prefix, shield_prefix,
policy_prefix), e.g. real-time priority and a core of its own on a robot:

    ros2 launch aegis_control embedded_sim.launch.py \
        shield_prefix:='chrt -f 80 taskset -c 1' sim_prefix:='chrt -f 70 taskset -c 1'

(see docs/ros.md "Rates and CPU").

policy_file names the policy slot's config file (absolute, or relative to the
package share; empty: the params file's aegis_policy config_file). A file with
`kind: diffusion` runs the diffusion node, with its sampling worker, in the
policy node's place (docs/diffusion.md):

    ros2 launch aegis_control embedded_sim.launch.py policy_file:=config/diffusion_arm_detour.yaml
"""
import os
import sys

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.conditions import IfCondition
from launch.substitutions import Command, LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_params import NodeParams  # noqa: E402  (beside this file: the launch's values beat the params file's)

PKG = 'aegis_control'


def pkg_file(relative_path):
    """A file installed in share/aegis_control (same layout as the source tree)."""
    return PathJoinSubstitution([FindPackageShare(PKG), relative_path])


def policy_slot(context, *, params_file, autostart, urdf, prefix):
    """aegis_policy_node; with policy_file set, that file is its config_file (the node reads the file's kind)."""
    values = {'use_sim_time': True, 'autostart': autostart, 'urdf_file': urdf}
    policy_file = LaunchConfiguration('policy_file').perform(context)
    if policy_file:
        values['config_file'] = policy_file
    adaptation_file = LaunchConfiguration('adaptation_file', default='').perform(context)
    if adaptation_file:
        values['adaptation_file'] = adaptation_file
    return [Node(package=PKG, executable='aegis_policy_node', name='aegis_policy', output='screen', prefix=prefix,
                 parameters=[params_file, NodeParams('aegis_policy', values)], condition=IfCondition(LaunchConfiguration('policy')))]


def generate_launch_description():
    urdf = LaunchConfiguration('urdf')
    params_file = LaunchConfiguration('params_file')
    autostart = LaunchConfiguration('autostart')
    sim_time = {'use_sim_time': True}
    prefix = {kind: LaunchConfiguration(f'{kind}_prefix') for kind in ('sim', 'shield', 'policy')}

    return LaunchDescription([
        DeclareLaunchArgument('urdf', default_value=pkg_file('urdf/g1_29dof_fixed.urdf'),
                              description='robot description (simulated and published)'),
        DeclareLaunchArgument('params_file', default_value=pkg_file('config/ros/aegis.yaml')),
        DeclareLaunchArgument('autostart', default_value='true'),
        DeclareLaunchArgument('policy', default_value='true', description='start the policy node'),
        DeclareLaunchArgument('policy_file', default_value='',
                              description='config file of the policy slot (kind: diffusion runs the diffusion node); '
                                          "empty: the params file's"),
        DeclareLaunchArgument('adaptation_file', default_value='',
                              description='online adaptation of the ONNX policy (YAML, docs/adaptation.md); empty: none'),
        *[DeclareLaunchArgument(f'{kind}_prefix', default_value='',
                                description=f'command prefix of the {kind} node (e.g. chrt -f 80 taskset -c 1)')
          for kind in ('sim', 'shield', 'policy')],

        # The sim owns /clock: it runs on the wall clock itself.
        Node(package=PKG, executable='aegis_sim_node', name='aegis_sim', output='screen', prefix=prefix['sim'],
             parameters=[params_file, NodeParams('aegis_sim', {'use_sim_time': False, 'urdf_file': urdf})]),
        Node(package='robot_state_publisher', executable='robot_state_publisher', output='screen',
             parameters=[{'robot_description': ParameterValue(Command(['cat ', urdf]), value_type=str)}, sim_time]),
        Node(package=PKG, executable='aegis_shield_node', name='aegis_shield', output='screen', prefix=prefix['shield'],
             parameters=[params_file, NodeParams('aegis_shield', {'use_sim_time': True, 'autostart': autostart, 'urdf_file': urdf})]),
        OpaqueFunction(function=policy_slot, kwargs={'params_file': params_file, 'autostart': autostart, 'urdf': urdf,
                                                     'prefix': prefix['policy']}),
    ])

"""Hardware bringup of aegis_control.

robot_state_publisher with the URDF, ros2_control (controller_manager with the
URDF's hardware plugin; the shipped URDF uses mock_components/GenericSystem,
so this also runs without a robot), the controller spawners
(joint_state_broadcaster and the command controller), and our managed nodes:
the safety shield (the only path to the controller) and the policy.

    ros2 launch aegis_control bringup.launch.py
    ros2 launch aegis_control bringup.launch.py controller:=joint_trajectory_controller policy:=false
"""
import os
import sys

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import Command, LaunchConfiguration, PathJoinSubstitution, PythonExpression
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_params import NodeParams  # noqa: E402  (beside this file: the launch's values beat the params file's)

PKG = 'aegis_control'


def pkg_file(relative_path):
    """A file installed in share/aegis_control (same layout as the source tree)."""
    return PathJoinSubstitution([FindPackageShare(PKG), relative_path])


def generate_launch_description():
    urdf = LaunchConfiguration('urdf')
    params_file = LaunchConfiguration('params_file')
    controllers_file = LaunchConfiguration('controllers_file')
    controller = LaunchConfiguration('controller')
    use_sim_time = LaunchConfiguration('use_sim_time')
    autostart = LaunchConfiguration('autostart')

    robot_description = ParameterValue(Command(['cat ', urdf]), value_type=str)
    trajectory = ["'", controller, "' == 'joint_trajectory_controller'"]
    shield_output = {
        'outputFormat': PythonExpression(["'joint_trajectory' if "] + trajectory + [" else 'float64_multi_array'"]),
        'topics.output': PythonExpression(
            ["'/joint_trajectory_controller/joint_trajectory' if "] + trajectory
            + [" else '/forward_position_controller/commands'"]),
    }
    common = {'use_sim_time': use_sim_time, 'autostart': autostart, 'urdf_file': urdf}
    # Hardware: nothing moves by itself. The shield never activates on its own (an operator calls
    # /shield/activate) and the policy starts PASSIVE (an operator requests STAND, then POLICY).
    # POLICY and MOTION need a passing admission record of the loaded model and config files
    # (docs/admission-record.md; admission.override: true in a params_file is the logged development override).
    shield_start = {'core.autoActivate': False}
    policy_start = {'modes.initial': 'PASSIVE', 'admission.required': True}

    return LaunchDescription([
        DeclareLaunchArgument('urdf', default_value=pkg_file('urdf/g1_29dof.urdf'),
                              description='robot description (URDF with a <ros2_control> block)'),
        DeclareLaunchArgument('params_file', default_value=pkg_file('config/ros/aegis.yaml'),
                              description='ROS parameters of the aegis nodes'),
        DeclareLaunchArgument('controllers_file', default_value=pkg_file('config/ros/controllers.yaml'),
                              description='ros2_control controllers'),
        DeclareLaunchArgument('controller', default_value='forward_position_controller',
                              choices=['forward_position_controller', 'joint_trajectory_controller'],
                              description='command controller the shield publishes to'),
        DeclareLaunchArgument('use_sim_time', default_value='false'),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='configure and activate the managed nodes at start'),
        DeclareLaunchArgument('policy', default_value='true', description='start the policy node'),

        Node(package='robot_state_publisher', executable='robot_state_publisher', output='screen',
             parameters=[{'robot_description': robot_description, 'use_sim_time': use_sim_time}]),
        # Jazzy: the controller manager reads the URDF from /robot_description.
        Node(package='controller_manager', executable='ros2_control_node', output='screen',
             parameters=[controllers_file, {'use_sim_time': use_sim_time}],
             remappings=[('~/robot_description', '/robot_description')]),
        Node(package='controller_manager', executable='spawner', output='screen',
             arguments=['joint_state_broadcaster', '--controller-manager', '/controller_manager']),
        Node(package='controller_manager', executable='spawner', output='screen',
             arguments=[controller, '--controller-manager', '/controller_manager']),

        Node(package=PKG, executable='aegis_shield_node', name='aegis_shield', output='screen',
             parameters=[params_file, NodeParams('aegis_shield', {**common, **shield_output, **shield_start})]),
        Node(package=PKG, executable='aegis_policy_node', name='aegis_policy', output='screen',
             parameters=[params_file, NodeParams('aegis_policy', {**common, **policy_start})], condition=IfCondition(LaunchConfiguration('policy'))),
    ])

"""aegis_control in Gazebo (gz-sim 8 / Harmonic, ROS 2 Jazzy).

Starts gz-sim with the aegis world, spawns the robot from /robot_description
(`ros_gz_sim create`), bridges /clock and the IMU to ROS, loads the
controllers into the gz_ros2_control plugin (controller_manager runs inside
Gazebo, with config/ros/controllers.yaml), and runs the shield and policy
nodes. Every node uses sim time. A URDF without Gazebo tags gets them at
launch (gz_description.py: GazeboSimSystem hardware, the gz_ros2_control
plugin, an IMU sensor on imu_in_pelvis).

    ros2 launch aegis_control gazebo.launch.py
    ros2 launch aegis_control gazebo.launch.py urdf:=<path>/g1_29dof.urdf z:=0.8
"""
import os
import sys

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction, RegisterEventHandler
from launch.conditions import IfCondition
from launch.event_handlers import OnProcessExit
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gz_description import gazebo_description  # noqa: E402  (beside this file)
from node_params import NodeParams  # noqa: E402  (beside this file: the launch's values beat the params file's)

PKG = 'aegis_control'


def pkg_file(relative_path):
    """A file installed in share/aegis_control (same layout as the source tree)."""
    return PathJoinSubstitution([FindPackageShare(PKG), relative_path])


def robot_nodes(context):
    """robot_state_publisher with the Gazebo description, the spawn and the controller spawners."""
    with open(LaunchConfiguration('urdf').perform(context), encoding='utf-8') as f:
        description = gazebo_description(f.read(), LaunchConfiguration('controllers_file').perform(context),
                                         get_package_share_directory(PKG))
    spawn = Node(package='ros_gz_sim', executable='create', output='screen',
                 arguments=['-topic', 'robot_description', '-name', 'aegis_g1', '-z', LaunchConfiguration('z')])
    joint_state_broadcaster = Node(package='controller_manager', executable='spawner', output='screen',
                                   arguments=['joint_state_broadcaster', '--controller-manager', '/controller_manager'])
    command_controller = Node(package='controller_manager', executable='spawner', output='screen',
                              arguments=['forward_position_controller', '--controller-manager', '/controller_manager'])
    return [
        Node(package='robot_state_publisher', executable='robot_state_publisher', output='screen',
             parameters=[{'robot_description': description, 'use_sim_time': True}]),
        spawn,
        # The controller manager lives in the gz_ros2_control plugin: spawn once the robot exists.
        RegisterEventHandler(OnProcessExit(target_action=spawn, on_exit=[joint_state_broadcaster])),
        RegisterEventHandler(OnProcessExit(target_action=joint_state_broadcaster, on_exit=[command_controller])),
    ]


def generate_launch_description():
    urdf = LaunchConfiguration('urdf')
    params_file = LaunchConfiguration('params_file')
    autostart = LaunchConfiguration('autostart')
    sim_time = {'use_sim_time': True}

    gazebo = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(PathJoinSubstitution([FindPackageShare('ros_gz_sim'), 'launch', 'gz_sim.launch.py'])),
        launch_arguments={'gz_args': ['-r -v 3 ', LaunchConfiguration('world')], 'on_exit_shutdown': 'true'}.items(),
    )
    bridge = Node(package='ros_gz_bridge', executable='parameter_bridge', output='screen', parameters=[sim_time],
                  arguments=['/clock@rosgraph_msgs/msg/Clock[gz.msgs.Clock',
                             '/imu@sensor_msgs/msg/Imu[gz.msgs.IMU'])

    return LaunchDescription([
        DeclareLaunchArgument('urdf', default_value=pkg_file('urdf/g1_29dof_fixed.urdf'),
                              description='robot description (Gazebo tags are added when missing)'),
        DeclareLaunchArgument('controllers_file', default_value=pkg_file('config/ros/controllers.yaml'),
                              description='ros2_control controllers for the gz_ros2_control plugin'),
        DeclareLaunchArgument('world', default_value=pkg_file('config/ros/gazebo/empty_imu.sdf')),
        DeclareLaunchArgument('z', default_value='0.0', description='spawn height, m (0.8 for the floating base)'),
        DeclareLaunchArgument('params_file', default_value=pkg_file('config/ros/aegis.yaml')),
        DeclareLaunchArgument('autostart', default_value='true'),
        DeclareLaunchArgument('policy', default_value='true', description='start the policy node'),
        DeclareLaunchArgument('adaptation_file', default_value='',
                              description='online adaptation of the policy (YAML, docs/adaptation.md); empty: none'),

        gazebo,
        bridge,
        OpaqueFunction(function=robot_nodes),

        Node(package=PKG, executable='aegis_shield_node', name='aegis_shield', output='screen',
             parameters=[params_file, NodeParams('aegis_shield', {**sim_time, 'autostart': autostart, 'urdf_file': urdf})]),
        Node(package=PKG, executable='aegis_policy_node', name='aegis_policy', output='screen',
             parameters=[params_file, NodeParams('aegis_policy', {**sim_time, 'autostart': autostart, 'urdf_file': urdf,
                                                                  'adaptation_file': LaunchConfiguration('adaptation_file')})],
             condition=IfCondition(LaunchConfiguration('policy'))),
    ])

"""The robot description for Gazebo (gz-sim 8 / Harmonic), standard library only.

``$(find aegis_control)`` is resolved and the ros2_control hardware plugin is
always swapped for Gazebo's. A URDF without Gazebo tags also gets, at launch:

- its ros2_control hardware plugin swapped for ``gz_ros2_control/GazeboSimSystem``,
- the ``gz_ros2_control::GazeboSimROS2ControlPlugin`` with the controllers file,
- an IMU sensor on ``imu_in_pelvis`` published on the gz topic ``imu``.

Usage (also from the command line): ``python3 gz_description.py URDF CONTROLLERS_YAML SHARE_DIR``.
"""
import sys

GZ_SYSTEM = 'gz_ros2_control/GazeboSimSystem'
GZ_TAGS = """  <gazebo>
    <plugin filename="gz_ros2_control-system" name="gz_ros2_control::GazeboSimROS2ControlPlugin">
      <parameters>{controllers}</parameters>
    </plugin>
  </gazebo>
  <gazebo reference="{imu_link}">
    <sensor name="imu" type="imu">
      <always_on>true</always_on>
      <update_rate>{imu_rate_hz}</update_rate>
      <topic>imu</topic>
      <gz_frame_id>{imu_link}</gz_frame_id>
    </sensor>
  </gazebo>
"""


def gazebo_description(urdf_text, controllers_path, share_dir, imu_link='imu_in_pelvis', imu_rate_hz=500):
    """Returns the URDF text Gazebo should spawn."""
    text = urdf_text.replace('$(find aegis_control)', share_dir)
    if '<ros2_control' not in text:
        raise ValueError('the URDF has no <ros2_control> block: Gazebo would have nothing to control')
    start = text.index('<ros2_control')
    end = text.index('</ros2_control>', start)
    block = text[start:end]
    hw_start = block.index('<plugin>') + len('<plugin>')
    hw_end = block.index('</plugin>', hw_start)
    block = block[:hw_start] + GZ_SYSTEM + block[hw_end:]
    text = text[:start] + block + text[end:]
    if 'GazeboSimROS2ControlPlugin' in text:
        return text
    tags = GZ_TAGS.format(controllers=controllers_path, imu_link=imu_link, imu_rate_hz=imu_rate_hz)
    close = text.rindex('</robot>')
    return text[:close] + tags + text[close:]


if __name__ == '__main__':
    with open(sys.argv[1], encoding='utf-8') as f:
        sys.stdout.write(gazebo_description(f.read(), sys.argv[2], sys.argv[3]))

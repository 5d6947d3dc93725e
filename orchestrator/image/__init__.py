"""Image: the host side of the Docker image build."""

#!/bin/sh
echo owner only
